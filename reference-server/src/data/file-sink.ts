/**
 * A Writable into a file that keeps two writes in flight. fs.WriteStream has
 * one write at a time, which bounds an upload by the round trip to the thread
 * pool. Here a chunk is written at once when no write is in flight; while one
 * is, chunks gather, and a second write starts once 256 KiB have gathered (fewer,
 * bigger writes: measured faster than a write per socket chunk); past 1 MiB
 * gathered the stream pushes back. Each write goes to its own offset; in append
 * mode the kernel picks the offset, so writes go one at a time. What arrived
 * is on disk as soon as the writes before it are, and a stream destroyed midway
 * still writes what it gathered; if a write fails, the file is cut back to the
 * end of the bytes written in order, so it never keeps a hole.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/** Gathered bytes past which the stream pushes back. */
const PUSH_BACK_AT = 1024 * 1024;
/** Gathered bytes that start another write while one is in flight. */
const ANOTHER_WRITE_AT = 256 * 1024;
const WRITES_IN_FLIGHT = 2;

export type FileSinkFlags = 'w' | 'a' | 'r+';

interface PendingWrite {
  end: number;
  done: boolean;
  failed: boolean;
}

export class FileSink extends Writable {
  private file: FileHandle | null = null;
  private position: number;
  /** The end of the bytes written in order, with nothing missing before them. */
  private writtenInOrder: number;
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;
  /** Writes not yet known to be in order, oldest first. */
  private readonly unordered: PendingWrite[] = [];
  private inFlight = 0;
  private readonly depth: number;
  private failure: Error | null = null;
  private heldCallback: ((error?: Error | null) => void) | null = null;
  private idleWaiters: (() => void)[] = [];

  /** `openFile` is for tests that need a disk that fails. */
  constructor(readonly path: string, private readonly flags: FileSinkFlags, start = 0, private readonly openFile: (path: string, flags: FileSinkFlags) => Promise<FileHandle> = openNoFollow) {
    super({ highWaterMark: PUSH_BACK_AT });
    this.position = start;
    this.writtenInOrder = start;
    this.depth = flags === 'a' ? 1 : WRITES_IN_FLIGHT;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.openFile(this.path, this.flags).then((file) => {
      this.file = file;
      callback();
    }, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.failure) {
      callback(this.failure);
      return;
    }
    this.gathered.push(chunk);
    this.gatheredBytes += chunk.length;
    if (this.canStartWrite()) this.flush();
    if (this.gatheredBytes < PUSH_BACK_AT) callback();
    else this.heldCallback = callback;
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flushWhenFree();
    this.whenIdle().then(() => callback(this.failure), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const settle = async () => {
      if (!this.file) return;
      this.flushWhenFree();
      await this.whenIdle();
      if (this.failure && this.flags !== 'a') await this.file.truncate(this.writtenInOrder).catch(() => {});
      await this.file.close();
    };
    settle().then(() => callback(error), (closeError: Error) => callback(error ?? closeError));
  }

  /**
   * At the end: the last gathered bytes go now if a write may start, else when
   * the writes in flight settle (an append must never overtake one).
   */
  private flushWhenFree(): void {
    if (this.gatheredBytes > 0 && !this.failure && (this.inFlight === 0 || this.flags !== 'a')) this.flush();
  }

  private canStartWrite(): boolean {
    return this.inFlight === 0 || (this.inFlight < this.depth && this.gatheredBytes >= ANOTHER_WRITE_AT);
  }

  private flush(): void {
    const buffers = this.gathered;
    const length = this.gatheredBytes;
    this.gathered = [];
    this.gatheredBytes = 0;
    const pending: PendingWrite = { end: this.position + length, done: false, failed: false };
    this.unordered.push(pending);
    this.inFlight += 1;
    const at = this.flags === 'a' ? null : this.position;
    this.position += length;
    writeAll(this.file as FileHandle, buffers, at).then(
      () => this.settled(pending, null),
      (error: Error) => this.settled(pending, error),
    );
  }

  private settled(pending: PendingWrite, error: Error | null): void {
    this.inFlight -= 1;
    pending.done = true;
    pending.failed = error !== null;
    if (error) this.failure ??= error;
    // Past a failed write nothing counts as in order any more.
    for (let oldest = this.unordered[0]; oldest?.done && !oldest.failed; oldest = this.unordered[0]) {
      this.writtenInOrder = oldest.end;
      this.unordered.shift();
    }
    if (!this.failure && this.gatheredBytes > 0 && this.canStartWrite()) this.flush();
    const held = this.heldCallback;
    if (held && (this.failure || this.gatheredBytes < PUSH_BACK_AT)) {
      this.heldCallback = null;
      held(this.failure);
    } else if (error && !this.destroyed) {
      // Nothing waits on a callback to carry the error: fail the stream now, not at its next write.
      this.destroy(error);
    }
    if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

const OPEN_FLAGS: Record<FileSinkFlags, number> = {
  w: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
  a: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND,
  'r+': constants.O_RDWR,
};

/** Opens like fs.open with `flags`, but refuses a symlink at the last name (vfs/no-follow.ts says why). */
function openNoFollow(path: string, flags: FileSinkFlags): Promise<FileHandle> {
  return open(path, OPEN_FLAGS[flags] | constants.O_NOFOLLOW, 0o666);
}

/** writev until every byte is written (a write may be short), at `position` or, when null, at the end. */
async function writeAll(file: FileHandle, buffers: Buffer[], position: number | null): Promise<void> {
  let remaining = buffers;
  let at = position;
  for (;;) {
    const total = remaining.reduce((sum, buffer) => sum + buffer.length, 0);
    const { bytesWritten } = await file.writev(remaining, at ?? undefined);
    if (bytesWritten >= total) return;
    remaining = [Buffer.concat(remaining).subarray(bytesWritten)];
    if (at !== null) at += bytesWritten;
  }
}
