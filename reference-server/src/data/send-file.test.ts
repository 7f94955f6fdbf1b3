/**
 * sendFileRange over a real loopback socket: the bytes of the range arrive
 * exactly, whatever the size and offset, also through a slow reader; a file
 * that shrank ends the transfer at its new end; an abort stops it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdtemp, open, rm, truncate } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendFileRange } from './send-file.ts';

function pattern(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let index = 0; index < size; index++) bytes[index] = (index * 7 + (index >> 10)) & 0xff;
  return bytes;
}

const SIZE = 5 * 1024 * 1024 + 3;
const body = pattern(SIZE);
let folder: string;
let path: string;
let listener: Server;
let accepted: ((socket: Socket) => void) | null = null;

/** A connected pair: `sender` is the server side, `receiver` the client side. */
async function socketPair(): Promise<{ sender: Socket; receiver: Socket }> {
  const sender = new Promise<Socket>((resolve) => (accepted = resolve));
  const address = listener.address() as { port: number };
  const receiver = connect(address.port, '127.0.0.1');
  return { sender: await sender, receiver };
}

function collect(receiver: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  receiver.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    receiver.on('end', () => resolve(Buffer.concat(chunks)));
    receiver.on('error', reject);
  });
}

/** Sends [start, end) and returns what the other side got and what the sender counted. */
async function transfer(start: number, end: number, options: { slowReader?: boolean } = {}): Promise<{ got: Buffer; sent: number }> {
  const { sender, receiver } = await socketPair();
  if (options.slowReader) {
    receiver.pause();
    setTimeout(() => receiver.resume(), 200);
  }
  const received = collect(receiver);
  const file = await open(path, 'r');
  try {
    const sent = await sendFileRange(file, start, end, sender, new AbortController().signal);
    sender.end();
    return { got: await received, sent };
  } finally {
    await file.close();
  }
}

describe('sendFileRange', () => {
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'send-file-'));
    path = join(folder, 'source.bin');
    writeFileSync(path, body);
    listener = createServer((socket) => accepted?.(socket));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await new Promise((resolve) => listener.close(resolve));
    await rm(folder, { recursive: true, force: true });
  });

  for (const [start, end] of [
    [0, SIZE],
    [0, 0],
    [0, 1],
    [0, 4096],
    [0, 1024 * 1024],
    [0, 1024 * 1024 + 1],
    [1, SIZE],
    [3 * 1024 * 1024 - 5, SIZE],
    [SIZE - 1, SIZE],
    [SIZE, SIZE],
  ] as const) {
    test(`bytes [${start}, ${end}) arrive exactly`, async () => {
      const { got, sent } = await transfer(start, end);
      assert.equal(sent, end - start);
      assert.equal(got.length, end - start);
      assert.ok(got.equals(body.subarray(start, end)), 'the bytes differ');
    });
  }

  test('a reader that stops for a while still gets every byte, in order', async () => {
    const { got } = await transfer(0, SIZE, { slowReader: true });
    assert.ok(got.equals(body), 'the bytes differ');
  });

  test('a file cut short after its size was announced ends the transfer at its new end', async () => {
    const shortPath = join(folder, 'shrinks.bin');
    writeFileSync(shortPath, body);
    const { sender, receiver } = await socketPair();
    const received = collect(receiver);
    const file = await open(shortPath, 'r');
    try {
      const cut = 2 * 1024 * 1024 + 10;
      await truncate(shortPath, cut);
      const sent = await sendFileRange(file, 0, SIZE, sender, new AbortController().signal);
      sender.end();
      const got = await received;
      assert.equal(sent, cut);
      assert.ok(got.equals(body.subarray(0, cut)), 'the bytes differ');
    } finally {
      await file.close();
    }
  });

  test('an abort while the reader is stalled rejects with the abort and leaves the file open', async () => {
    const { sender, receiver } = await socketPair();
    receiver.pause();
    const controller = new AbortController();
    const file = await open(path, 'r');
    try {
      const sending = sendFileRange(file, 0, SIZE, sender, controller.signal);
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(sending, { name: 'AbortError' });
      assert.equal((await file.stat()).size, SIZE, 'the file handle was closed by the sender');
    } finally {
      sender.destroy();
      receiver.destroy();
      await file.close();
    }
  });
});
