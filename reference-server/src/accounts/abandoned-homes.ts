/**
 * Homes without an account, seen at start. An empty one holds nothing and
 * only blocks its name ("taken" forever): it is what a crash between making a
 * home and writing its account left, and it is removed (so is an empty
 * folder an administrator made at the storage root: it held nothing). One with files is
 * the kept home of a deleted account: it stays, and its name stays taken, so
 * no stranger who registers the name inherits the files.
 */
import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AccountStore } from './account-store.ts';

/** Removes the empty homes of no account under `storage`; returns their names. */
export async function removeEmptyHomesWithoutAccount(storage: string, accounts: AccountStore): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(storage, { withFileTypes: true })) {
    if (!entry.isDirectory() || accounts.get(entry.name)) continue;
    // rmdir removes only an empty folder; ENOTEMPTY means a kept home.
    const gone = await rmdir(join(storage, entry.name)).then(() => true, () => false);
    if (gone) removed.push(entry.name);
  }
  return removed;
}
