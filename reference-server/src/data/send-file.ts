/**
 * Sends a byte range of a file down a data connection. Node has no sendfile(2)
 * for sockets, so every byte passes through user space; to keep that fast,
 * several positional reads stay in flight, and a handful of buffers are reused
 * as soon as the socket has taken them (a RETR of 1 GiB allocates five 1 MiB
 * buffers, not a thousand). A file that shrinks meanwhile ends the transfer at
 * its new end.
 */
import { EventEmitter, once } from 'node:events';
import type { FileHandle } from 'node:fs/promises';
import type { Duplex } from 'node:stream';

const CHUNK = 1024 * 1024;
const READS_IN_FLIGHT = 3;
/** Reads in flight plus the buffers the socket may still hold. */
const BUFFERS = READS_IN_FLIGHT + 2;

interface ChunkRead {
  buffer: Buffer;
  bytesRead: number;
  wanted: number;
}

/** A few equal buffers, handed back when the socket has written them. */
class BufferPool extends EventEmitter {
  private readonly free: Buffer[] = [];
  private made = 0;

  constructor(readonly size: number, private readonly limit: number) {
    super();
  }

  take(): Buffer | null {
    const reused = this.free.pop();
    if (reused) return reused;
    if (this.made === this.limit) return null;
    this.made += 1;
    return Buffer.allocUnsafe(this.size);
  }

  give(buffer: Buffer): void {
    this.free.push(buffer);
    this.emit('free');
  }
}

async function readAt(file: FileHandle, buffer: Buffer, position: number, wanted: number): Promise<ChunkRead> {
  const { bytesRead } = await file.read(buffer, 0, wanted, position);
  return { buffer, bytesRead, wanted };
}

/**
 * Writes bytes [start, end) of an open file to `data`; resolves with the bytes
 * written. `signal` must abort when `data` closes or fails. The file stays open.
 */
export async function sendFileRange(file: FileHandle, start: number, end: number, data: Duplex, signal: AbortSignal): Promise<number> {
  if (end <= start) return 0;
  const pool = new BufferPool(Math.min(CHUNK, end - start), BUFFERS);
  const reads: Promise<ChunkRead>[] = [];
  let next = start;
  let sent = 0;
  try {
    for (;;) {
      while (next < end && reads.length < READS_IN_FLIGHT) {
        const buffer = pool.take();
        if (!buffer) break;
        const wanted = Math.min(buffer.length, end - next);
        reads.push(readAt(file, buffer, next, wanted));
        next += wanted;
      }
      const oldest = reads.shift();
      if (!oldest) {
        if (next >= end) break;
        // Every buffer is still with the socket: wait until it hands one back.
        await once(pool, 'free', { signal });
        continue;
      }
      const { buffer, bytesRead, wanted } = await oldest;
      signal.throwIfAborted();
      if (bytesRead === 0) {
        pool.give(buffer);
        break;
      }
      const flowing = data.write(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead), () => pool.give(buffer));
      sent += bytesRead;
      if (bytesRead < wanted) break;
      if (!flowing) await once(data, 'drain', { signal });
    }
  } finally {
    await Promise.allSettled(reads);
  }
  return sent;
}
