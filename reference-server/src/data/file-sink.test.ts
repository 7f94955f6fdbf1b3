/**
 * FileSink: several positional writes in flight, yet the file ends byte for
 * byte what was written, in every open mode; what arrived is on disk while the
 * upload is still open; a destroyed sink keeps what it had; a failed write
 * leaves no hole.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileSink, type FileSinkFlags } from './file-sink.ts';
import { temporaryFolder } from '../../test/temporary-folder.ts';

/** Bytes that differ at every offset, so a misplaced chunk shows. */
function pattern(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index++) bytes[index] = (index * 31 + seed + (index >> 8)) & 0xff;
  return bytes;
}

/** Cuts a buffer into chunks of the sizes given, cycling through them. */
function chunked(body: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0, turn = 0; offset < body.length; turn++) {
    const size = sizes[turn % sizes.length] as number;
    chunks.push(body.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

describe('FileSink', () => {
  test('w: 40 MiB in chunks of odd sizes end up in order, byte for byte', async (t) => {
    const folder = await temporaryFolder(t, 'file-sink-');
    const body = pattern(40 * 1024 * 1024 + 13, 1);
    const path = join(folder, 'big.bin');
    await pipeline(Readable.from(chunked(body, [65_536, 1, 300_001, 4_096, 2_000_000])), new FileSink(path, 'w'));
    assert.ok(readFileSync(path).equals(body), 'the file differs from what was written');
  });

  test('w replaces what was there; r+ writes from an offset and keeps the bytes before it', async (t) => {
    const folder = await temporaryFolder(t, 'file-sink-');
    const path = join(folder, 'resume.bin');
    writeFileSync(path, pattern(5_000_000, 2));
    await pipeline(Readable.from(chunked(pattern(3_000_000, 3), [70_000])), new FileSink(path, 'w'));
    assert.ok(readFileSync(path).equals(pattern(3_000_000, 3)));
    const tail = pattern(4_000_000, 4);
    await pipeline(Readable.from(chunked(tail, [65_536])), new FileSink(path, 'r+', 1_000_000));
    assert.ok(readFileSync(path).equals(Buffer.concat([pattern(3_000_000, 3).subarray(0, 1_000_000), tail])));
  });

  test('a: appends after what is there, and creates a missing file', async (t) => {
    const folder = await temporaryFolder(t, 'file-sink-');
    const path = join(folder, 'append.bin');
    await pipeline(Readable.from(chunked(pattern(2_500_000, 5), [65_536])), new FileSink(path, 'a'));
    await pipeline(Readable.from(chunked(pattern(3_100_000, 6), [100_000, 7])), new FileSink(path, 'a'));
    assert.ok(readFileSync(path).equals(Buffer.concat([pattern(2_500_000, 5), pattern(3_100_000, 6)])));
  });

  test('a: the bytes gathered while an append is in flight go after it, even when the stream ends meanwhile', async (t) => {
    const folder = await temporaryFolder(t, 'file-sink-');
    const path = join(folder, 'append-slow.bin');
    // A disk whose first append is slow: the kernel picks an append's offset when it runs, so a second
    // append started before the first ends would land first.
    let appends = 0;
    const openSlowDisk = async (at: string, flags: FileSinkFlags): Promise<FileHandle> => {
      const file = await open(at, flags);
      return new Proxy(file, {
        get(target, property) {
          if (property !== 'writev') return Reflect.get(target, property, target) as unknown;
          return async (buffers: Buffer[], position?: number) => {
            if (appends++ === 0) await new Promise((resolve) => setTimeout(resolve, 50));
            return target.writev(buffers, position);
          };
        },
      });
    };
    const sink = new FileSink(path, 'a', 0, openSlowDisk);
    sink.write(Buffer.from('first '));
    sink.end(Buffer.from('second'));
    await new Promise((resolve) => sink.once('close', resolve));
    assert.equal(readFileSync(path, 'utf8'), 'first second');
  });

  test('what arrived reaches the disk while the stream is still open', async (t) => {
    const folder = await temporaryFolder(t, 'file-sink-');
    const path = join(folder, 'slow.bin');
    const sink = new FileSink(path, 'w');
    sink.write(pattern(200_000, 7));
    const deadline = Date.now() + 5_000;
    while ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) < 200_000) {
      assert.ok(Date.now() < deadline, 'the first 200 000 bytes never reached the disk');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    sink.end();
    await new Promise((resolve) => sink.once('close', resolve));
  });

  test('destroyed midway, it still writes every byte it had taken, in order, then closes', async (t) => {
    const folder = await temporaryFolder(t, 'file-sink-');
    const path = join(folder, 'cut.bin');
    const sink = new FileSink(path, 'w');
    const body = pattern(6_000_000, 8);
    // Each chunk is taken (its callback called) before the next, as a socket piped in would be.
    for (const chunk of chunked(body, [65_536])) await new Promise((resolve) => sink.write(chunk, resolve));
    const failed = new Promise<Error>((resolve) => sink.once('error', resolve));
    sink.destroy(new Error('the client went away'));
    assert.equal((await failed).message, 'the client went away');
    await new Promise((resolve) => (sink.closed ? resolve(null) : sink.once('close', resolve)));
    assert.equal(sink.closed, true);
    assert.ok(readFileSync(path).equals(body), 'the kept bytes are not what was given');
  });

  test('a write that fails cuts the file back to the bytes written in order, and the stream errors', async (t) => {
    const folder = await temporaryFolder(t, 'file-sink-');
    const path = join(folder, 'fails.bin');
    // A real file where the first write at or past 1 MiB fails (a disk that filled up, then got
    // space back), slowly, while later writes land: without the cut, the file would keep a hole.
    const failingFrom = 1024 * 1024;
    let firstFailedAt = Infinity;
    const openFailingDisk = async (at: string, flags: FileSinkFlags): Promise<FileHandle> => {
      const file = await open(at, flags);
      return new Proxy(file, {
        get(target, property) {
          if (property !== 'writev') return Reflect.get(target, property, target) as unknown;
          return async (buffers: Buffer[], position: number) => {
            if (position < failingFrom || firstFailedAt !== Infinity) return target.writev(buffers, position);
            firstFailedAt = position;
            await new Promise((resolve) => setTimeout(resolve, 50));
            throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          };
        },
      });
    };
    const sink = new FileSink(path, 'w', 0, openFailingDisk);
    const body = pattern(3 * 1024 * 1024, 9);
    const failed = new Promise<Error>((resolve) => sink.once('error', resolve));
    for (const chunk of chunked(body, [65_536])) sink.write(chunk);
    assert.equal(((await failed) as NodeJS.ErrnoException).code, 'ENOSPC');
    await new Promise((resolve) => (sink.closed ? resolve(null) : sink.once('close', resolve)));
    const kept = readFileSync(path);
    assert.ok(kept.length <= firstFailedAt, `the file holds ${kept.length} bytes, past the first failed write at ${firstFailedAt}`);
    assert.ok(kept.equals(body.subarray(0, kept.length)), 'the kept bytes are not the start of what was written');
  });

  test('a file it cannot open: the stream errors with the reason', async (t) => {
    const folder = await temporaryFolder(t, 'file-sink-');
    const sink = new FileSink(join(folder, 'no-such-folder', 'x.bin'), 'w');
    const error = await new Promise<Error>((resolve) => sink.once('error', resolve));
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOENT');
  });
});
