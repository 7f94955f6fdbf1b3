/** A deleted account's open sessions end at once; temporary files of a crashed run are cleared at start. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer } from '../temp-server.ts';
import { RawFtp } from '../../test/raw-ftp-client.ts';

test('SITE DELUSER ends the open sessions of the deleted account, and only those', async () => {
  const server = await startTempServer();
  try {
    const bob = await RawFtp.login(server.port, 'bob', 'bob-pw');
    const alice = await RawFtp.login(server.port, 'alice', 'alice-pw');
    const admin = await RawFtp.login(server.port, 'admin', 'admin-pw');
    await admin.expect('SITE DELUSER bob', 200);
    const told = await bob.read(5000);
    assert.equal(told.code, 421, told.text);
    assert.equal((await alice.send('NOOP')).code, 200);
    await alice.quit();
    await admin.quit();
  } finally {
    await server.stop();
  }
});

test('leftovers in tmp/ from a crash are removed when the server starts', async () => {
  const first = await startTempServer();
  await first.stop({ keepData: true });
  await mkdir(join(first.dataDir, 'tmp'), { recursive: true });
  await writeFile(join(first.dataDir, 'tmp', 'upload-0123456789abcdef'), 'half an upload');
  const second = await startTempServer({ dataDir: first.dataDir });
  try {
    assert.deepEqual(await readdir(join(first.dataDir, 'tmp')), []);
  } finally {
    await second.stop();
  }
});
