/**
 * Per-home usage and limits. Usage is the total size of the regular files in a
 * home: walked from disk the first time a home is touched after a start (so it
 * never drifts across a restart or a crash), then kept exact by every write,
 * delete and copy. Node runs this on one thread, so a reservation is atomic
 * across all sessions of a user: two uploads can never jointly pass the limit.
 *
 * An upload that writes a file in place (APPE, REST+STOR, a STOR that creates
 * it) is known to its ledger by the file's inode while it runs. A file can
 * leave the home under it (a DELE, or a rename or another upload over its
 * name): the ledger then frees what it had counted of that file, and the
 * upload's own bytes, which went with the file, are released instead of kept.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export class QuotaExceededError extends Error {
  constructor(readonly home: string) {
    super(`quota of ${home} exceeded`);
  }
}

/** An upload writing into a file of the home in place, as its ledger knows it. */
export class InPlaceWrite {
  /** Set once the file has left the home: the upload's bytes are then released, not kept. */
  detached = false;

  constructor(
    readonly inode: string,
    /** Bytes of the file that usage holds besides this upload's own (an APPE's or a REST's start). */
    public counted: number,
  ) {}
}

function inodeOf(info: Pick<Stats, 'dev' | 'ino'>): string {
  return `${info.dev}:${info.ino}`;
}

export class QuotaLedger {
  /** In-place uploads running now, by the inode they write. */
  private readonly writes = new Map<string, InPlaceWrite>();

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

  /** A finished transfer's reserved bytes become usage. */
  commit(bytes: number): void {
    this.reserved -= bytes;
    this.committed += bytes;
  }

  /** A failed transfer gives back what it reserved (its bytes were removed from disk). */
  release(bytes: number): void {
    this.reserved -= bytes;
  }

  /** A change on disk made outside a transfer: a truncation, a rename between homes. */
  adjust(delta: number): void {
    this.committed = Math.max(0, this.committed + delta);
  }

  /** An in-place upload begins writing the file `info` (opened, not yet written), of which usage holds `counted` bytes. */
  writingInto(info: Pick<Stats, 'dev' | 'ino'>, counted: number): InPlaceWrite {
    const write = new InPlaceWrite(inodeOf(info), counted);
    this.writes.set(write.inode, write);
    return write;
  }

  /** The upload cut its file to `length` before writing (a STOR, a REST+STOR); nothing if the file has left the home already. */
  recount(write: InPlaceWrite, length: number): void {
    if (write.detached) return;
    this.adjust(length - write.counted);
    write.counted = length;
  }

  /** The upload's file had left the home before the upload was known (its removal counted it already). */
  detach(write: InPlaceWrite): void {
    write.detached = true;
    this.doneWriting(write);
  }

  /** The upload has settled its bytes (kept, cut back or released). */
  doneWriting(write: InPlaceWrite): void {
    if (this.writes.get(write.inode) === write) this.writes.delete(write.inode);
  }

  /** What usage holds of a file: its size, or for one an upload is writing in place, the bytes before that upload. */
  countedOf(info: Pick<Stats, 'dev' | 'ino' | 'size'>): number {
    return this.writes.get(inodeOf(info))?.counted ?? info.size;
  }

  /**
   * Puts a finished file of `bytes` under a name whose old file is `replaced`
   * (opened, or null when there is none), by `move` (a rename); `reserved` of
   * its bytes were reserved while it was written. The old file is freed, so
   * only the difference must fit; QuotaExceededError, and nothing moved, when
   * it does not. The caller holds the name's lock, so `replaced` is what the
   * move replaces.
   */
  async place(bytes: number, reserved: number, replaced: FileHandle | null, move: () => Promise<void>): Promise<void> {
    const before = replaced ? await replaced.stat() : null;
    const extra = Math.max(0, bytes - (before ? this.countedOf(before) : 0) - reserved);
    if (!this.tryReserve(extra)) throw new QuotaExceededError(this.home);
    try {
      await move();
    } catch (error) {
      this.release(extra);
      throw error;
    }
    this.release(reserved + extra);
    this.adjust(bytes);
    if (replaced) this.removed(await replaced.stat());
  }

  /**
   * The file `info` left the home (deleted, or replaced by what was renamed
   * over its name): what it counted is freed. `info` comes from a descriptor
   * opened before the removal and stat'ed after it, so an upload that ended
   * meanwhile is counted with all it wrote (and the inode is not reused yet).
   */
  removed(info: Pick<Stats, 'dev' | 'ino' | 'size'>): void {
    this.adjust(-this.countedOf(info));
    const write = this.writes.get(inodeOf(info));
    if (write) {
      write.detached = true;
      this.writes.delete(write.inode);
    }
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
