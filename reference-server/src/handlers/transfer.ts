/**
 * RETR, STOR, STOU, APPE, REST, ABOR. Uploads count against the quota chunk
 * by chunk (nothing past the limit is ever kept); a finished STOR over an
 * existing file replaces it atomically; an interrupted upload of a new file
 * keeps what arrived so REST+STOR or APPE can finish it.
 */
import { constants } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Reply } from '../protocol/replies.ts';
import { FtpReplyError } from '../errors.ts';
import { LfToCrlf, CrlfToLf } from '../data/ascii.ts';
import { pipeToFile } from '../data/pipe-to-file.ts';
import { sendFileRange } from '../data/send-file.ts';
import { FileSink } from '../data/file-sink.ts';
import { underNameLocks } from './file-locks.ts';
import { QuotaExceededError, type InPlaceWrite, type QuotaLedger } from '../quota.ts';
import { virtualJoin, virtualName, type VirtualPath } from '../vfs/virtual-path.ts';
import type { JailPath, RealPath } from '../vfs/jail.ts';
import { openBeforeRemoval, openNoFollow, openToRead, pathOfHandle } from '../vfs/no-follow.ts';
import { ledgerFor } from './quota-scope.ts';
import type { Session, TransferEnd } from '../session.ts';
import type { ServerContext } from '../server-context.ts';

/** New files being written in place by a STOR right now, per server (real paths). */
const filesBeingCreated = new WeakMap<ServerContext, Set<string>>();

export function handleRest(session: Session, argument: string): void {
  const text = argument.trim();
  if (!/^\d{1,15}$/.test(text)) throw new FtpReplyError(Reply.argumentSyntaxError, 'REST needs a byte offset.');
  session.restOffset = Number(text);
  session.reply(Reply.pendingFurtherInfo, `Restarting at ${session.restOffset}. Send STOR or RETR.`);
}

export function handleAbor(session: Session): void {
  session.clearDataTarget();
  if (session.takeAbortedFlag()) session.reply(Reply.closingDataSuccess, 'ABOR successful.');
  else session.reply(Reply.abortOk, 'No transfer to abort.');
}

function logTransfer(session: Session, virtual: VirtualPath, direction: 'incoming' | 'outgoing', startedAt: number, bytes: number, end: TransferEnd): void {
  const identity = session.requireIdentity();
  session.context.logs.transfer({
    startedAt,
    remoteHost: session.remoteAddress,
    bytes,
    virtualPath: virtual,
    binary: session.transferType === 'I',
    direction,
    anonymous: identity.role === 'anonymous',
    user: identity.name,
    complete: end === 'complete',
  });
  session.context.logs.files.info({ session: session.id, user: identity.name, action: direction === 'incoming' ? 'upload' : 'download', path: virtual, bytes, end }, 'transfer');
}

export async function handleRetr(session: Session, argument: string): Promise<void> {
  const offset = session.restOffset;
  session.restOffset = 0;
  const path = await session.resolvePath(argument);
  const virtual = path.virtual;
  // One open file for the whole RETR: what is announced and sent is one version of
  // the file, even if a STOR replaces it meanwhile.
  const file = await openToRead(path.real).finally(() => path.close());
  try {
    const info = await file.stat();
    if (!info.isFile()) throw new FtpReplyError(Reply.fileUnavailable, 'Not a regular file.');
    if (offset > info.size) throw new FtpReplyError(554, 'Restart position past the end of the file.');
    const startedAt = Date.now();
    const mode = session.transferType === 'I' ? 'BINARY' : 'ASCII';
    const { end, bytes } = await session.runTransfer(`Opening ${mode} mode data connection for ${virtualName(virtual)} (${info.size - offset} bytes).`, async (data, signal) => {
      if (session.transferType === 'I') return sendFileRange(file, offset, info.size, data, signal);
      if (offset >= info.size) return 0;
      const source = file.createReadStream({ start: offset, end: info.size - 1, highWaterMark: READ_CHUNK, autoClose: false });
      const before = bytesWritten(data);
      await pipeline(source, new LfToCrlf(), data, { signal, end: false });
      return bytesWritten(data) - before || source.bytesRead;
    });
    logTransfer(session, virtual, 'outgoing', startedAt, bytes, end);
  } finally {
    await file.close();
  }
}

/** Big reads for an ASCII-mode RETR: it is bound by how often we go round the event loop. */
const READ_CHUNK = 1024 * 1024;

/** Bytes a data connection has written so far (a TLS socket counts its own too). */
function bytesWritten(data: Duplex): number {
  return (data as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
}

/** How an upload meets the file it names: creates it, replaces it whole, appends to it, or rewrites it from a REST offset. */
export type UploadKind = 'create' | 'replace' | 'append' | 'resume';

/** Counts bytes against a ledger; the first `credit` bytes are free (they replace a file that will go away). */
class QuotaMeter extends Transform {
  reserved = 0;
  written = 0;

  constructor(
    private readonly ledger: QuotaLedger | null,
    private credit: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const free = Math.min(this.credit, chunk.length);
    this.credit -= free;
    const need = chunk.length - free;
    if (need > 0 && this.ledger) {
      if (!this.ledger.tryReserve(need)) {
        done(new QuotaExceededError(this.ledger.home));
        return;
      }
      this.reserved += need;
    }
    this.written += chunk.length;
    done(null, chunk);
  }
}

/**
 * In stream mode the client closes the data connection to end an upload
 * (RFC 959 §3.4.1), so a close that comes after the last byte must not abort
 * the bytes still on their way to the disk; a close or error before it does.
 */
function unlessInputEnded(data: Duplex, signal: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const forward = () => {
    if (!data.readableEnded) controller.abort(signal.reason);
  };
  if (signal.aborted) forward();
  else signal.addEventListener('abort', forward, { once: true });
  return controller.signal;
}

/** Receives an upload into `path`: a 150 with `announce`, the bytes counted against the quota as they come, the file settled before the 226. */
export async function receiveUpload(session: Session, path: JailPath, kind: UploadKind, announce: string, offset = 0): Promise<void> {
  const { virtual, real } = path;
  const existing = await lstat(real).catch(() => null);
  if (existing && !existing.isFile()) throw new FtpReplyError(Reply.fileUnavailable, 'Not a regular file.');
  const ledger = await ledgerFor(session, virtual);
  if (kind === 'resume' && offset > (existing?.size ?? 0)) throw new FtpReplyError(554, 'Restart position past the end of the file.');
  const temporary = join(session.context.layout.tmp, `upload-${randomBytes(8).toString('hex')}`);
  const destination = kind === 'replace' ? temporary : real;
  // A replacing STOR's first bytes are free while they stand in for the file they replace.
  const credit = kind === 'replace' && existing && ledger ? ledger.countedOf(existing) : 0;
  const meter = new QuotaMeter(ledger, credit);
  const startedAt = Date.now();
  let quotaHit = false;
  // The file and the ledger are settled inside the transfer, before its 226 or
  // 4xx/5xx goes out: a client that got the reply already sees the final state.
  const result = await session.runTransfer(announce, async (data: Duplex, signal) => {
    // All but a replacing STOR (which renames a temporary file over the old one) write in place.
    const inPlace = kind !== 'replace';
    // Meanwhile the data socket waits (a flowing socket with no reader drops what arrives).
    if (inPlace) data.pause();
    let target: InPlaceTarget | null = null;
    try {
      if (inPlace) target = await openInPlace(session, real, kind, offset, ledger, signal);
      const start = target?.start ?? 0;
      const flags = kind === 'append' ? 'a' : kind === 'resume' ? 'r+' : 'w';
      const sink = target ? new FileSink(destination, flags, start, () => target!.reopen(flags)) : new FileSink(destination, flags);
      const stages = session.transferType === 'A' ? [data, new CrlfToLf(), meter] : [data, meter];
      try {
        // Settles only once the file is closed, so what follows sees its final state.
        await pipeToFile(stages, sink, unlessInputEnded(data, signal));
        if (kind === 'replace') await underNameLocks(session.context, [path.key], () => replaceWithUpload(session, real, temporary, meter, ledger));
        // The bytes are kept, unless the file left the home meanwhile (deleted, or replaced): then they went with it.
        else if (target?.write?.detached) ledger?.release(meter.reserved);
        else ledger?.commit(meter.reserved);
      } catch (error) {
        quotaHit = error instanceof QuotaExceededError;
        if (target) await underNameLocks(session.context, [path.key], () => settleFailedInPlace(kind, real, target!, meter, ledger, quotaHit));
        else await settleFailedReplace(temporary, meter, ledger);
        throw error;
      }
      return meter.written;
    } finally {
      if (target?.write) ledger?.doneWriting(target.write);
      await target?.file.close();
      target?.unlock();
    }
  });
  if (quotaHit) session.context.logs.files.warn({ session: session.id, user: session.who, path: virtual, limit: ledger?.limit }, 'upload refused: quota exceeded');
  logTransfer(session, virtual, 'incoming', startedAt, meter.written, result.end);
}

/** The file an in-place upload writes, held open for as long as it runs. */
interface InPlaceTarget {
  file: FileHandle;
  /** Where this upload's bytes begin: an APPE's old length, a REST's offset, 0 for a STOR. */
  start: number;
  /** How the ledger knows this upload (null without a quota ledger). */
  write: InPlaceWrite | null;
  /** Another descriptor of the same file, for the FileSink to write through and close. */
  reopen(flags: 'w' | 'a' | 'r+'): Promise<FileHandle>;
  /** Lets the next in-place upload of this file begin. */
  unlock: () => void;
}

/**
 * Opens the file an upload writes in place and waits for its writer lock
 * (handlers/file-locks.ts, by inode): one such upload per file at a time, so
 * undoing one cuts only its own bytes, and an APPE never lands inside a STOR,
 * even under another name after a rename. Then it tells the ledger and cuts
 * the file where this upload begins: a STOR at 0 (a file that appeared since
 * it began, an APPE before it, loses its bytes), a REST+STOR at its offset
 * (only now that the data connection is there: a failed PASV/PORT must not
 * lose the bytes past it).
 */
async function openInPlace(session: Session, real: RealPath, kind: UploadKind, offset: number, ledger: QuotaLedger | null, signal: AbortSignal): Promise<InPlaceTarget> {
  const file = await openNoFollow(real, constants.O_RDWR | constants.O_CREAT, 0o666);
  let unlock: (() => void) | null = null;
  let write: InPlaceWrite | null = null;
  try {
    const opened = await file.stat();
    if (!opened.isFile()) throw new FtpReplyError(Reply.fileUnavailable, 'Not a regular file.');
    unlock = await session.context.parts.writerLocks(session.context).acquire(`${opened.dev}:${opened.ino}`, signal);
    // Known to the ledger before anything changes the file; a DELE or a rename over it from now on detaches it.
    const info = await file.stat();
    write = ledger?.writingInto(info, info.size) ?? null;
    if ((await file.stat()).nlink === 0 && write) ledger?.detach(write);
    if (kind === 'resume' && offset > info.size) throw new FtpReplyError(554, 'Restart position past the end of the file.');
    const start = kind === 'append' ? info.size : kind === 'resume' ? offset : 0;
    if (start < info.size) {
      await file.truncate(start);
      if (write) ledger?.recount(write, start);
      else ledger?.adjust(start - info.size);
    }
    const reopen = (flags: 'w' | 'a' | 'r+') => open(pathOfHandle(file), flags === 'a' ? constants.O_WRONLY | constants.O_APPEND : constants.O_WRONLY);
    return { file, start, write, reopen, unlock };
  } catch (error) {
    if (write) ledger?.doneWriting(write);
    await file.close();
    unlock?.();
    throw error;
  }
}

/**
 * A replacing STOR's last step, under the name lock: the file it replaces is
 * whatever the name holds now. Another session may have renamed or deleted the
 * old file meanwhile, so nothing is freed by the rename and the whole new file
 * must fit; if it does not, 552 and the name keeps what it holds.
 */
async function replaceWithUpload(session: Session, real: RealPath, temporary: string, meter: QuotaMeter, ledger: QuotaLedger | null): Promise<void> {
  if (!ledger) return rename(temporary, real);
  const replaced = await openBeforeRemoval(real);
  try {
    await ledger.place(meter.written, meter.reserved, replaced, () => rename(temporary, real));
  } finally {
    await replaced?.close();
  }
}

async function settleFailedReplace(temporary: string, meter: QuotaMeter, ledger: QuotaLedger | null): Promise<void> {
  // The old file stays as it was; the partial new one is dropped.
  await unlink(temporary).catch(() => {});
  ledger?.release(meter.reserved);
}

/** Undoes or keeps what a failed in-place upload wrote, through its own descriptor (the name may hold another file by now). */
async function settleFailedInPlace(kind: UploadKind, real: RealPath, target: InPlaceTarget, meter: QuotaMeter, ledger: QuotaLedger | null, quotaHit: boolean): Promise<void> {
  if (target.write?.detached) {
    // The file left the home meanwhile: its bytes went with it.
    ledger?.release(meter.reserved);
  } else if (quotaHit) {
    // Nothing past the limit is kept: a new file goes, an appended or resumed one gets its old length back.
    const ours = await target.file.stat();
    const named = await lstat(real).catch(() => null);
    if (kind === 'create' && named?.ino === ours.ino && named.dev === ours.dev) await unlink(real).catch(() => {});
    else await target.file.truncate(target.start).catch(() => {});
    ledger?.release(meter.reserved);
  } else {
    // Interrupted: keep exactly the bytes that reached the disk, for REST+STOR or APPE to finish.
    const kept = Math.max(0, (await target.file.stat()).size - target.start);
    ledger?.commit(Math.min(kept, meter.reserved));
    ledger?.release(meter.reserved - Math.min(kept, meter.reserved));
  }
}

export async function handleStor(session: Session, argument: string): Promise<void> {
  const offset = session.restOffset;
  session.restOffset = 0;
  const path = await session.resolvePath(argument);
  try {
    const exists = await lstat(path.real).then(() => true, () => false);
    // Of two STORs racing to create one new file, only the first writes it in place; the
    // other replaces it atomically like an overwrite, so the file ends whole, never a mix.
    const creating = filesBeingCreated.get(session.context) ?? new Set<string>();
    filesBeingCreated.set(session.context, creating);
    const kind: UploadKind = offset > 0 ? 'resume' : exists || creating.has(path.key) ? 'replace' : 'create';
    if (offset > 0 && !exists) throw new FtpReplyError(554, 'Restart position past the end of the file.');
    const claimed = kind === 'create' && !creating.has(path.key);
    if (claimed) creating.add(path.key);
    try {
      await receiveUpload(session, path, kind, `Ok to send data for ${virtualName(path.virtual)}.`, offset);
    } finally {
      if (claimed) creating.delete(path.key);
    }
  } finally {
    path.close();
  }
}

export async function handleAppe(session: Session, argument: string): Promise<void> {
  session.restOffset = 0;
  const path = await session.resolvePath(argument);
  try {
    await receiveUpload(session, path, 'append', `Ok to append data to ${virtualName(path.virtual)}.`);
  } finally {
    path.close();
  }
}

/** STOU: store under a new unique name in the current directory; 150 says `FILE: <name>` (RFC 1123 §4.1.2.9). */
export async function handleStou(session: Session, argument: string): Promise<void> {
  // Only the name of what the client gave counts: the file goes in the current directory.
  const base = (argument.trim() === '' ? '' : virtualName(virtualJoin(session.cwd, argument.trim()))) || 'ftp-ref';
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = `${base}.${randomBytes(4).toString('hex')}`;
    const path = await session.resolvePath(name);
    try {
      const taken = await lstat(path.real).then(() => true, () => false);
      if (taken) continue;
      await receiveUpload(session, path, 'create', `FILE: ${name}`);
      return;
    } finally {
      path.close();
    }
  }
  throw new FtpReplyError(Reply.fileNameNotAllowed, 'Could not find a unique name.');
}
