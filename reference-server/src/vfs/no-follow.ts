/**
 * File operations on a jail path (vfs/jail.ts) that never follow a symlink at
 * its last name: the jail followed the links that were there when it resolved
 * the path, and one swapped in since is refused (ELOOP, answered as a missing
 * file), so nothing outside the root is ever opened through it.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { RealPath } from './jail.ts';

/** Opens `real` with `flags`, refusing a symlink in its place. */
export function openNoFollow(real: RealPath, flags: number, mode?: number): Promise<FileHandle> {
  return open(real, flags | constants.O_NOFOLLOW, mode);
}

/**
 * Opens a file to read. O_NONBLOCK: opening a FIFO must not wait for a writer
 * (callers check that it is a regular file); a regular file ignores it.
 */
export function openToRead(real: RealPath): Promise<FileHandle> {
  return openNoFollow(real, constants.O_RDONLY | constants.O_NONBLOCK);
}

/** Opens a folder, to list it. */
export function openFolder(real: RealPath): Promise<FileHandle> {
  return openNoFollow(real, constants.O_RDONLY | constants.O_DIRECTORY);
}

/** A path naming what an open handle holds, for the calls that take only a path (readdir, copyFile). */
export function pathOfHandle(file: FileHandle): string {
  return `/proc/self/fd/${file.fd}`;
}

/**
 * Opens what a name holds before it is deleted or replaced, so that its final
 * size can be read after (quota.ts, `removed`); null when nothing is there.
 */
export function openBeforeRemoval(real: RealPath): Promise<FileHandle | null> {
  return openToRead(real).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
}
