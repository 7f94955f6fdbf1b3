/**
 * get, put and verify: resume (REST+RETR; SIZE then REST+STOR or APPE, as FEAT
 * offers), progress, and the integrity check after every transfer — HASH
 * (draft-bryan-ftpext-hash) where the server has it, else a read-back for put
 * and SIZE for get. A mismatch is a WARNING: the server stored or sent
 * something other than the file.
 */
import { createHash } from 'node:crypto';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { describeOutcome } from '../wire/outcome.ts';
import { checkSize } from './checks.ts';
import { startProgress } from './progress.ts';
import { ShellCommandError, type ShellSession, type ShellTransfer } from './session.ts';

/** Node's names for the HASH algorithms of draft-bryan-ftpext-hash §3, strongest first. */
const HASH_ALGORITHMS: readonly (readonly [string, string])[] = [
  ['SHA-256', 'sha256'],
  ['SHA-512', 'sha512'],
  ['SHA-1', 'sha1'],
  ['MD5', 'md5'],
];

export interface TransferOutcome {
  ok: boolean;
  message: string;
  /** Bytes now in the whole file (local after get, remote after put). */
  size?: number;
  /** The final reply's code, for a recorded step. */
  code?: number;
  /** The bytes uploaded (put), for a recording. */
  content?: Buffer;
}

/** `213 SHA-256 0-49 <hex> name` (draft-bryan-ftpext-hash §3.2): the digest. */
export function parseHashReply(message: string): { algorithm: string; start: number; end: number; digest: string } | null {
  const match = /^(\S+)\s+(\d+)-(\d+)\s+([0-9A-Fa-f]+)(?:\s|$)/.exec(message);
  if (!match) return null;
  return { algorithm: (match[1] as string).toUpperCase(), start: Number(match[2]), end: Number(match[3]), digest: (match[4] as string).toLowerCase() };
}

/** The algorithm to ask for: SHA-256 when FEAT lists it, else the strongest it lists. `*` marks the selected one (§3.1). */
export function pickHashAlgorithm(featLine: string | undefined): { name: string; node: string; selected: boolean } | null {
  if (!featLine) return null;
  const listed = featLine.replace(/^HASH\s*/i, '').split(';').map((word) => word.trim().toUpperCase()).filter(Boolean);
  for (const [name, node] of HASH_ALGORITHMS) {
    const entry = listed.find((word) => word.replace(/\*$/, '') === name);
    if (entry) return { name, node, selected: entry.endsWith('*') };
  }
  return null;
}

/** SIZE in octets (RFC 3659 §4), or null when refused. */
export async function remoteSize(session: ShellSession, path: string): Promise<number | null> {
  await session.ensureType('I');
  const outcome = await session.exchange(`SIZE ${path}`);
  if (outcome.kind !== 'reply' || outcome.reply.code !== 213) return null;
  const size = Number(outcome.reply.message.trim().split(/\s+/)[0]);
  return Number.isSafeInteger(size) && size >= 0 ? size : null;
}

/** The server's digest of a file, or null when it has no HASH (then the caller falls back). */
async function remoteDigest(session: ShellSession, path: string): Promise<{ algorithm: string; node: string; digest: string } | null> {
  const algorithm = pickHashAlgorithm(session.feature('HASH'));
  if (!algorithm) return null;
  if (!algorithm.selected) {
    const opts = await session.exchange(`OPTS HASH ${algorithm.name}`);
    if (opts.kind !== 'reply' || opts.reply.code !== 200) return null;
    session.features = session.features.map((line) => (line.toUpperCase().startsWith('HASH') ? line.replace(/\*/g, '').replace(new RegExp(`\\b${algorithm.name}\\b`, 'i'), `${algorithm.name}*`) : line));
  }
  const outcome = await session.exchange(`HASH ${path}`);
  if (outcome.kind !== 'reply' || outcome.reply.code !== 213) return null;
  const parsed = parseHashReply(outcome.reply.message);
  return parsed ? { algorithm: algorithm.name, node: algorithm.node, digest: parsed.digest } : null;
}

function digestOf(node: string, bytes: Buffer): string {
  return createHash(node).update(bytes).digest('hex');
}

async function localSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Writes bytes at an offset (a resumed download appends after what is there). */
async function writeAt(path: string, offset: number, bytes: Buffer): Promise<void> {
  if (offset === 0) {
    await writeFile(path, bytes);
    return;
  }
  const file = await open(path, 'r+');
  try {
    await file.truncate(offset);
    await file.write(bytes, 0, bytes.length, offset);
  } finally {
    await file.close();
  }
}

/** Downloads a whole file in memory (read-back and verify). */
async function download(session: ShellSession, path: string): Promise<ShellTransfer> {
  await session.ensureType('I');
  return session.transfer(`RETR ${path}`);
}

/** Compares local bytes with the remote file: HASH, else a download. True when equal; the way it checked. */
async function sameAsRemote(session: ShellSession, remote: string, bytes: Buffer): Promise<{ equal: boolean; how: string } | null> {
  const digest = await remoteDigest(session, remote);
  if (digest) {
    const local = digestOf(digest.node, bytes);
    const equal = local === digest.digest;
    return { equal, how: equal ? `${digest.algorithm} ${local.slice(0, 16)}...` : `${digest.algorithm} ${digest.digest.slice(0, 16)}... remote, ${local.slice(0, 16)}... local` };
  }
  const back = await download(session, remote);
  if (!back.ok || !back.data) return null;
  return { equal: back.data.equals(bytes), how: `read back ${back.data.length} bytes` };
}

export async function getFile(session: ShellSession, remote: string, local: string, resume: boolean): Promise<TransferOutcome> {
  await session.ensureType('I');
  const size = await remoteSize(session, remote);
  const offset = resume ? await localSize(local) : 0;
  if (resume && size !== null && offset > size) throw new ShellCommandError(`${local} has ${offset} bytes, more than the ${size} of ${remote}: not a partial copy`);
  if (resume && size !== null && offset === size) return { ok: true, message: `${local} is complete already (${size} bytes)`, size };
  if (offset > 0) await session.expectReply(`REST ${offset}`, [350]);
  const progress = startProgress(session.out.terminal, `get ${remote}${offset > 0 ? ` (from byte ${offset})` : ''}`, size === null ? 0 : size - offset);
  const result = await session.transfer(`RETR ${remote}`, { onProgress: (bytes) => progress.update(bytes) });
  const received = result.data ?? result.partial ?? Buffer.alloc(0);
  const summary = progress.finish(received.length);
  const code = result.final.kind === 'reply' ? result.final.reply.code : undefined;
  if (received.length > 0 || result.ok) await writeAt(local, offset, received);
  session.checkData(received.subarray(0, 64 * 1024).toString('latin1'), `the data of RETR ${remote}`, true);
  if (!result.ok) {
    const kept = offset + received.length;
    const hint = kept > 0 && !result.aborted ? `; ${kept} bytes kept in ${local}, get -c resumes` : kept > 0 ? `; ${kept} bytes kept in ${local}` : '';
    return { ok: false, message: `get ${remote}: ${result.problem ?? 'failed'}${hint}`, code };
  }
  const total = offset + received.length;
  // Integrity: the server's digest of the file against ours, else its SIZE against what came.
  const digest = await remoteDigest(session, remote);
  if (digest) {
    const whole = await readFile(local);
    const mine = digestOf(digest.node, whole);
    if (mine !== digest.digest) {
      session.warn({ text: `get ${remote}: ${digest.algorithm} of the ${total} bytes received is ${mine}, the server's HASH says ${digest.digest}`, basis: 'draft-bryan-ftpext-hash §3 (HASH: the digest of the file as RETR sends it)' });
      return { ok: true, message: `${summary}; ${digest.algorithm} MISMATCH`, size: total, code };
    }
    if (size !== null) for (const warning of checkSize(`get ${remote}`, total, size)) session.warn(warning);
    return { ok: true, message: `${summary}; ${digest.algorithm} ok`, size: total, code };
  }
  if (size !== null) {
    const warnings = checkSize(`get ${remote}`, total, size);
    for (const warning of warnings) session.warn(warning);
    return { ok: true, message: `${summary}; size ${warnings.length === 0 ? 'ok' : 'MISMATCH'}`, size: total, code };
  }
  return { ok: true, message: `${summary}; not checked (no HASH, no SIZE)`, size: total, code };
}

export async function putFile(session: ShellSession, local: string, remote: string, resume: boolean): Promise<TransferOutcome> {
  const bytes = await readLocal(local);
  await session.ensureType('I');
  let offset = 0;
  let verb = 'STOR';
  if (resume) {
    offset = (await remoteSize(session, remote)) ?? 0;
    if (offset > bytes.length) throw new ShellCommandError(`${remote} has ${offset} bytes, more than the ${bytes.length} of ${local}: not a partial upload`);
    if (offset === bytes.length) return verifyAfterPut(session, remote, bytes, `${remote} is complete already (${offset} bytes)`, undefined);
    if (offset > 0) {
      // RFC 3659 §5: REST STREAM in FEAT means REST works before STOR; else APPE (RFC 959) appends.
      if (session.feature('REST STREAM')) await session.expectReply(`REST ${offset}`, [350]);
      else verb = 'APPE';
    }
  }
  const upload = bytes.subarray(offset);
  const progress = startProgress(session.out.terminal, `put ${local}${offset > 0 ? ` (${verb === 'APPE' ? 'APPE' : 'REST'} from byte ${offset})` : ''}`, upload.length);
  const result = await session.transfer(`${verb} ${remote}`, { upload, onProgress: (sent) => progress.update(sent) });
  const summary = progress.finish(result.sent ?? 0);
  session.names = null;
  const code = result.final.kind === 'reply' ? result.final.reply.code : undefined;
  if (!result.ok) {
    const hint = result.aborted ? '' : '; put -c resumes';
    return { ok: false, message: `put ${local}: ${result.problem ?? describeOutcome(result.final)}${hint}`, code, content: bytes };
  }
  return verifyAfterPut(session, remote, bytes, summary, code);
}

async function verifyAfterPut(session: ShellSession, remote: string, bytes: Buffer, summary: string, code: number | undefined): Promise<TransferOutcome> {
  const same = await sameAsRemote(session, remote, bytes);
  if (!same) return { ok: true, message: `${summary}; not checked (no HASH, and the read-back failed)`, size: bytes.length, code, content: bytes };
  if (!same.equal) {
    session.warn({ text: `put ${remote}: the server's copy differs from the ${bytes.length} bytes sent (${same.how})`, basis: 'RFC 959 §3.1.1 (a file is stored as sent, octet for octet, in TYPE I); draft-bryan-ftpext-hash §3' });
    return { ok: true, message: `${summary}; MISMATCH (${same.how})`, size: bytes.length, code, content: bytes };
  }
  return { ok: true, message: `${summary}; ${same.how} ok`, size: bytes.length, code, content: bytes };
}

/** verify REMOTE [LOCAL]: does the server hold exactly the local file? A difference fails the command. */
export async function verifyFile(session: ShellSession, remote: string, local: string): Promise<TransferOutcome> {
  const bytes = await readLocal(local);
  await session.ensureType('I');
  const same = await sameAsRemote(session, remote, bytes);
  if (!same) return { ok: false, message: `verify ${remote}: cannot read it back` };
  return same.equal ? { ok: true, message: `${remote} matches ${local} (${same.how})` } : { ok: false, message: `${remote} differs from ${local} (${same.how})` };
}

/** A local file's bytes; one that cannot be read fails the command. */
async function readLocal(local: string): Promise<Buffer> {
  try {
    return await readFile(local);
  } catch (error) {
    throw new ShellCommandError(`cannot read ${local}: ${(error as Error).message}`);
  }
}
