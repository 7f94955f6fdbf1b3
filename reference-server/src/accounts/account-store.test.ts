/**
 * The account file is re-read when it changed, even when its mtime did not
 * move: file clocks here tick every few milliseconds, and a CI run once lost an
 * account added by SITE ADDUSER to a re-read that looked only at the mtime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { AccountStore } from './account-store.ts';

test('a change to the accounts file within one tick of the file clock is still seen', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'accounts-'));
  try {
    const file = join(dir, 'accounts.json');
    const server = await AccountStore.open(file);
    await server.add('alice', 'alice-pw');
    // Pin the mtime to a whole second, as a coarse file clock would leave it.
    const second = Math.floor(Date.now() / 1000);
    await utimes(file, second, second);
    await server.refresh();
    const cli = await AccountStore.open(file);
    await cli.add('bob', 'bob-pw');
    await utimes(file, second, second);
    assert.equal((await stat(file)).mtimeMs, second * 1000, 'the mtime did not move');
    assert.ok(await server.verify('bob', 'bob-pw'), 'the account added by the other writer logs in');
    assert.ok(server.get('alice'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
