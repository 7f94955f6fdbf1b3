/**
 * HASH (draft-bryan-ftpext-hash): the digest of a whole file, or of the range
 * from a preceding REST to its end, computed while streaming the file.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { openToRead } from '../vfs/no-follow.ts';
import { Reply } from '../protocol/replies.ts';
import { FtpReplyError } from '../errors.ts';
import type { Session } from '../session.ts';

export const HASH_ALGORITHMS = ['SHA-256', 'SHA-512', 'SHA-1', 'MD5'] as const;

const NODE_NAMES: Record<string, string> = { 'SHA-256': 'sha256', 'SHA-512': 'sha512', 'SHA-1': 'sha1', MD5: 'md5' };

/** FEAT line: every algorithm, the session's selected one marked with `*` (draft-bryan-ftpext-hash §3.1). */
export function hashFeatLine(selected: string): string {
  return `HASH ${HASH_ALGORITHMS.map((name) => (name === selected ? `${name}*` : name)).join(';')}`;
}

/** The FEAT line of a new session, whose algorithm is SHA-256. */
export const HASH_FEAT = hashFeatLine('SHA-256');

export async function digestFile(file: FileHandle, algorithm: string, start: number, end: number): Promise<string> {
  const hash = createHash(NODE_NAMES[algorithm] ?? 'sha256');
  if (end > start) {
    for await (const chunk of file.createReadStream({ start, end: end - 1, autoClose: false }) as AsyncIterable<Buffer>) hash.update(chunk);
  }
  return hash.digest('hex');
}

export async function handleHash(session: Session, argument: string): Promise<void> {
  const start = session.restOffset;
  session.restOffset = 0;
  const path = await session.resolvePath(argument);
  const file = await openToRead(path.real).finally(() => path.close());
  try {
    const info = await file.stat();
    if (!info.isFile()) throw new FtpReplyError(Reply.fileUnavailable, 'Not a regular file.');
    if (start > info.size) throw new FtpReplyError(Reply.fileUnavailable, 'Range start past the end of the file.');
    const digest = await digestFile(file, session.hashAlgorithm, start, info.size);
    session.reply(Reply.fileStatus, `${session.hashAlgorithm} ${start}-${info.size} ${digest} ${argument}`);
  } finally {
    await file.close();
  }
}
