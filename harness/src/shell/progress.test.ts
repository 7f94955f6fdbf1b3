/** The transfer summary a script sees: sizes and rates in units a person reads. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, summaryLine } from './progress.ts';

test('sizes and rates are rounded to a readable unit, fractions of a byte included', () => {
  assert.equal(formatBytes(175.90689974878126), '176 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(20 * 1024 * 1024), '20.0 MiB');
  assert.equal(summaryLine('put a.txt', 3, 0.0171), 'put a.txt: 3 bytes in 0.02 s (175 B/s)');
  assert.equal(summaryLine('get big.bin', 20_971_520, 0.21), 'get big.bin: 20971520 bytes in 0.21 s (95.2 MiB/s)');
});
