/**
 * A lock shared by every process that changes one file (the server and the
 * `ftp-ref user` command): a lock file made with O_EXCL that holds its
 * owner's pid. A lock whose owner is gone (kill -9) is broken at once, one
 * older than STALE_MS too (its pid may have been reused). Breaking takes a
 * second lock, so two processes never both break one lock, the later of them
 * removing the fresh lock the earlier has just made.
 */
import { open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** A holder keeps the lock for one read-change-write: milliseconds. */
const STALE_MS = 30_000;
const GIVE_UP_MS = 10_000;
const RETRY_MS = 5;

export class LockTimeoutError extends Error {}

/** Runs `work` holding the lock file `path`. */
export async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  await acquire(path);
  try {
    return await work();
  } finally {
    await unlink(path).catch(() => {});
  }
}

async function acquire(path: string): Promise<void> {
  const giveUpAt = Date.now() + GIVE_UP_MS;
  while (!(await tryCreate(path))) {
    if (await isStale(path)) await breakStale(path);
    else if (Date.now() > giveUpAt) throw new LockTimeoutError(`${path} is still held by process ${(await ownerOf(path)) || '?'} after ${GIVE_UP_MS / 1000} s`);
    else await delay(RETRY_MS);
  }
}

async function tryCreate(path: string): Promise<boolean> {
  let file: FileHandle;
  try {
    file = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await file.writeFile(`${process.pid}\n`);
    await file.close();
    return true;
  } catch (error) {
    // A lock without its pid (a full disk) would look like one being made for STALE_MS: take it back.
    await file.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw error;
  }
}

async function ownerOf(path: string): Promise<number> {
  return Number((await readFile(path, 'utf8').catch(() => '')).trim());
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (!info) return false; // released meanwhile: try again at once
  const owner = await ownerOf(path);
  // An empty file is a lock being made right now (created, its pid not yet written).
  if (owner > 0 && !isAlive(owner)) return true;
  return Date.now() - info.mtimeMs > STALE_MS;
}

async function breakStale(path: string): Promise<void> {
  const breaker = `${path}.break`;
  if (!(await tryCreate(breaker))) {
    // A breaker that crashed in these few lines leaves its lock: it is broken the same way, once.
    if (await isStale(breaker)) await unlink(breaker).catch(() => {});
    return;
  }
  try {
    // Checked again while holding the breaker: only the dead lock is removed, never a fresh one.
    if (await isStale(path)) await unlink(path).catch(() => {});
  } finally {
    await unlink(breaker).catch(() => {});
  }
}
