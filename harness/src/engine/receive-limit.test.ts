import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downloadLimit, KEPT_DOWNLOAD_LIMIT_BYTES, UNKNOWN_DOWNLOAD_LIMIT_BYTES } from './receive-limit.ts';

test('a download of a known size may take twice that plus 1 MiB, and no more', () => {
  assert.equal(downloadLimit([20_000_000], false), 40_000_000 + 1024 * 1024);
  assert.equal(downloadLimit([10, 5000], true), 10_000 + 1024 * 1024);
});

test('without a known size: a searched download gets less room than a kept one', () => {
  assert.equal(downloadLimit([], false), UNKNOWN_DOWNLOAD_LIMIT_BYTES);
  assert.equal(downloadLimit([Number.NaN], true), KEPT_DOWNLOAD_LIMIT_BYTES);
  assert.ok(UNKNOWN_DOWNLOAD_LIMIT_BYTES < KEPT_DOWNLOAD_LIMIT_BYTES);
});
