/**
 * The two kinds of file lock a server holds (data/path-locks.ts), keyed by a
 * jail path's `key`:
 * - writer locks, held by an upload that writes a file in place for its whole
 *   transfer: one such upload at a time per file;
 * - name locks, held only for the short steps that look at what a name holds,
 *   change it (create, delete, rename, replace) and count it in the quota, so
 *   that no other such step lands between the look and the count.
 */
import { PathLocks } from '../data/path-locks.ts';
import type { ServerContext } from '../server-context.ts';

const writers = new WeakMap<ServerContext, PathLocks>();
const names = new WeakMap<ServerContext, PathLocks>();

function locksOf(table: WeakMap<ServerContext, PathLocks>, context: ServerContext): PathLocks {
  let locks = table.get(context);
  if (!locks) table.set(context, (locks = new PathLocks()));
  return locks;
}

export function writerLocks(context: ServerContext): PathLocks {
  return locksOf(writers, context);
}

/** Runs `step` holding the name locks of `keys` (taken in sorted order, so two steps never wait on each other). */
export async function underNameLocks<T>(context: ServerContext, keys: readonly string[], step: () => Promise<T>): Promise<T> {
  const locks = locksOf(names, context);
  const releases: (() => void)[] = [];
  try {
    for (const key of [...new Set(keys)].sort()) releases.push(await locks.acquire(key));
    return await step();
  } finally {
    for (const release of releases.reverse()) release();
  }
}
