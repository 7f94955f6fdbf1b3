/** REST n + STOR whose data connection never comes must not cut the file (helper 4's finding). */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTempServer } from '../temp-server.ts';
import { RawFtp } from '../../test/raw-ftp-client.ts';

const server = await startTempServer({ settings: { dataTimeout: 1 } });
after(() => server.stop());

test('a REST+STOR that gets no data connection leaves the file whole', async () => {
  const client = await RawFtp.login(server.port, 'alice', 'alice-pw');
  const original = randomBytes(10_000);
  await client.expect('TYPE I', 200);
  await client.put('keep.bin', original);
  await client.expect('EPSV', 229);
  await client.expect('REST 4000', 350);
  const refused = await client.send('STOR keep.bin', 5000);
  assert.equal(refused.code, 425, `nobody connected to the passive port: ${refused.text}`);
  assert.deepEqual(await client.get('keep.bin'), original);
  await client.quit();
});
