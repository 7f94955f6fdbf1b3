/**
 * Per-home usage and limits. Usage is the total size of the regular files in a
 * home: walked from disk the first time a home is touched after a start (so it
 * never drifts across a restart or a crash), then kept exact by every write,
 * delete and copy. Node runs this on one thread, so a reservation is atomic
 * across all sessions of a user: two uploads can never jointly pass the limit.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export class QuotaExceededError extends Error {
  constructor(readonly home: string) {
    super(`quota of ${home} exceeded`);
  }
}

export class QuotaLedger {
  /** Bytes of finished files in the home. */
  private committed: number;
  /** Bytes written or promised by transfers still running. */
  private reserved = 0;

  constructor(
    readonly home: string,
    initialUsage: number,
    private readonly limitOf: () => number,
  ) {
    this.committed = initialUsage;
  }

  /** 0 means no limit. */
  get limit(): number {
    return this.limitOf();
  }

  /** What SITE QUOTA reports: every byte in the home, including uploads still running. */
  get used(): number {
    return this.committed + this.reserved;
  }

  /** Bytes still storable; Infinity without a limit. */
  available(): number {
    const limit = this.limit;
    return limit === 0 ? Infinity : Math.max(0, limit - this.used);
  }

  /** Takes `bytes` for a running transfer, or returns false when that would pass the limit. */
  tryReserve(bytes: number): boolean {
    if (bytes > this.available()) return false;
    this.reserved += bytes;
    return true;
  }

  /** Test-only faults (faults/quota.ts): takes `bytes` whatever the limit says. Always true. */
  reserveUnchecked(bytes: number): true {
    this.reserved += bytes;
    return true;
  }

  /** A finished transfer's reserved bytes become usage. */
  commit(bytes: number): void {
    this.reserved -= bytes;
    this.committed += bytes;
  }

  /** A failed transfer gives back what it reserved (its bytes were removed from disk). */
  release(bytes: number): void {
    this.reserved -= bytes;
  }

  /** A change on disk made outside a transfer: a delete (negative), a truncation, a rename between homes. */
  adjust(delta: number): void {
    this.committed = Math.max(0, this.committed + delta);
  }
}

export async function measureUsage(folder: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) total += await measureUsage(path);
    else if (entry.isFile()) total += (await lstat(path)).size;
  }
  return total;
}

export class QuotaBook {
  private ledgers = new Map<string, Promise<QuotaLedger>>();

  constructor(
    private readonly storageRoot: string,
    private readonly limitOf: (home: string) => number,
  ) {}

  /** The ledger of one home (the folder named after its account under the storage root). */
  ledger(home: string): Promise<QuotaLedger> {
    let ledger = this.ledgers.get(home);
    if (!ledger) {
      ledger = measureUsage(join(this.storageRoot, home)).then(
        (usage) => new QuotaLedger(home, usage, () => this.limitOf(home)),
      );
      this.ledgers.set(home, ledger);
      ledger.catch(() => this.ledgers.delete(home));
    }
    return ledger;
  }

  /** Drops a cached ledger, e.g. when its account was deleted; the next use measures again. */
  forget(home: string): void {
    this.ledgers.delete(home);
  }
}
