import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAgainst, ContentFactory, createDigester, digestOf } from './integrity.ts';

test('CRC-32 and SHA-256 digests match their reference values', () => {
  assert.equal(digestOf(Buffer.from('123456789'), 'crc32').hex, 'cbf43926');
  assert.equal(digestOf(Buffer.from('abc'), 'sha256').hex, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const streamed = createDigester('crc32');
  for (const part of ['1234', '5', '6789']) streamed.update(Buffer.from(part));
  assert.deepEqual(streamed.digest(), { algorithm: 'crc32', hex: 'cbf43926', length: 9 });
});

test('a byte-for-byte check names the first byte that differs, whatever the chunking', () => {
  const content = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
  const feed = (bytes: Buffer, chunk: number) => {
    const check = checkAgainst({ digest: digestOf(content, 'crc32'), content });
    for (let i = 0; i < bytes.length; i += chunk) check.update(bytes.subarray(i, i + chunk));
    return check.verdict();
  };
  assert.equal(feed(content, 4096), null);
  const corrupt = Buffer.from(content);
  corrupt[7777] = corrupt[7777]! ^ 0x20;
  assert.match(feed(corrupt, 1000) ?? '', /^byte 7777 differs/);
  assert.match(feed(content.subarray(0, 9999), 4096) ?? '', /expected 10000 bytes, got 9999/);
  assert.match(feed(Buffer.concat([content, Buffer.from('x')]), 4096) ?? '', /expected 10000 bytes, got 10001/);
});

test('a digest check catches corruption and short transfers', () => {
  const content = Buffer.from('the quick brown fox');
  const check = (bytes: Buffer) => {
    const c = checkAgainst({ digest: digestOf(content, 'sha256') });
    c.update(bytes);
    return c.verdict();
  };
  assert.equal(check(content), null);
  assert.match(check(Buffer.from('the quick brown fix')) ?? '', /corrupt/);
  assert.match(check(Buffer.from('the quick')) ?? '', /expected 19 bytes, got 9/);
});

test('uploaded contents differ per client and sequence, so a misplaced file never matches', () => {
  const factory = new ContentFactory(4096, 'crc32', 'abc123');
  const a = factory.make(1, 1);
  const b = factory.make(1, 2);
  const c = factory.make(2, 1);
  assert.notEqual(a.digest.hex, b.digest.hex);
  assert.notEqual(a.digest.hex, c.digest.hex);
  assert.equal(a.content.length, 4096);
  assert.deepEqual(digestOf(a.content, 'crc32'), a.digest);
});
