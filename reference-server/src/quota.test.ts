/**
 * protocol.md "Quota": an upload (STOR, STOU, APPE, REST+STOR) or a copy that
 * would pass the limit is answered 552 and stores no byte past it; the limit
 * holds across all sessions of a user at once. Lab C: a per-user disk quota.
 * Every check compares what the server says (SIZE, NLST, SITE QUOTA) with the
 * bytes really on disk.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTempServer, type TempServer } from './temp-server.ts';
import { RawFtp } from '../test/raw-ftp-client.ts';
import { bytesOnDisk, parseQuota, patternBytes } from '../test/extension-kit.ts';

const LIMIT = 100_000;
const RACE_LIMIT = 1_000_000;
const RACERS = 8;

/** What the server says about the home and what the disk holds agree, and neither passes the limit. */
async function assertUsageMatchesDisk(client: RawFtp, home: string, limit: number, expectedUsed?: number): Promise<number> {
  const quota = parseQuota((await client.send('SITE QUOTA')).text);
  const onDisk = bytesOnDisk(home);
  assert.equal(quota.limit, limit);
  assert.equal(quota.used, onDisk, `SITE QUOTA used=${quota.used} but the home holds ${onDisk} bytes`);
  assert.ok(onDisk <= limit, `the home holds ${onDisk} bytes, past the limit ${limit}`);
  if (expectedUsed !== undefined) assert.equal(onDisk, expectedUsed);
  return onDisk;
}

async function waitForSize(path: string, size: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((existsSync(path) ? statSync(path).size : 0) < size) {
    if (Date.now() > deadline) throw new Error(`${path} never reached ${size} bytes`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function names(client: RawFtp, path = ''): Promise<string[]> {
  const { body } = await client.download(path ? `NLST ${path}` : 'NLST');
  return body.toString().split('\r\n').filter(Boolean).sort();
}

/** Uploads with `command` and returns the code of the reply that ended it (552 for a quota refusal). */
async function uploadCode(client: RawFtp, command: string, body: Buffer, restAt?: number): Promise<{ code: number; preliminary: string }> {
  const { preliminary, final } = await client.upload(command, body, { restAt });
  return { code: final?.code ?? preliminary.code, preliminary: preliminary.text };
}

describe('quota limit, one session at a time', () => {
  let server: TempServer;
  const home = (name: string) => join(server.dataDir, 'storage', name);
  before(async () => {
    server = await startTempServer({
      accounts: ['exact', 'over', 'appe', 'rest', 'stou', 'copy', 'replace'].map((name) => ({ name, password: `${name}-pw`, quotaLimit: LIMIT })),
    });
  });
  after(() => server.stop());

  test('an upload of exactly the limit passes; one more byte is 552 and nothing of it is kept', async () => {
    const client = await RawFtp.login(server.port, 'exact', 'exact-pw');
    await client.put('exact.bin', patternBytes(LIMIT));
    assert.equal((await client.send('SIZE exact.bin')).text, String(LIMIT));
    assert.equal((await client.send('AVBL')).text, '0');
    await assertUsageMatchesDisk(client, home('exact'), LIMIT, LIMIT);
    assert.equal((await uploadCode(client, 'STOR one-byte.bin', Buffer.from('x'))).code, 552);
    assert.equal((await client.send('SIZE one-byte.bin')).code, 550);
    assert.deepEqual(await names(client), ['exact.bin']);
    await assertUsageMatchesDisk(client, home('exact'), LIMIT, LIMIT);
    assert.deepEqual(readFileSync(join(home('exact'), 'exact.bin')), patternBytes(LIMIT));
    await client.quit();
  });

  test('a new file one byte over the limit is refused with 552 and removed; so is one far over', async () => {
    const client = await RawFtp.login(server.port, 'over', 'over-pw');
    for (const [name, size] of [
      ['plus-one.bin', LIMIT + 1],
      ['triple.bin', 3 * LIMIT],
    ] as const) {
      assert.equal((await uploadCode(client, `STOR ${name}`, patternBytes(size))).code, 552, name);
      assert.equal((await client.send(`SIZE ${name}`)).code, 550, `${name} must not exist after 552`);
      assert.equal(existsSync(join(home('over'), name)), false);
      assert.deepEqual(await names(client), []);
      await assertUsageMatchesDisk(client, home('over'), LIMIT, 0);
    }
    // The refusal left the full limit usable.
    await client.put('fits.bin', patternBytes(LIMIT));
    await assertUsageMatchesDisk(client, home('over'), LIMIT, LIMIT);
    await client.quit();
  });

  test('APPE past the limit is 552 and the file keeps its old length and content', async () => {
    const client = await RawFtp.login(server.port, 'appe', 'appe-pw');
    const original = patternBytes(60_000, 2);
    await client.put('log.bin', original);
    assert.equal((await uploadCode(client, 'APPE log.bin', patternBytes(50_000, 3))).code, 552);
    assert.equal((await client.send('SIZE log.bin')).text, '60000');
    assert.deepEqual(await client.get('log.bin'), original);
    await assertUsageMatchesDisk(client, home('appe'), LIMIT, 60_000);
    // An APPE that reaches the limit exactly is fine.
    await client.put('log.bin', patternBytes(40_000, 4), 'APPE');
    assert.deepEqual(await client.get('log.bin'), Buffer.concat([original, patternBytes(40_000, 4)]));
    await assertUsageMatchesDisk(client, home('appe'), LIMIT, LIMIT);
    await client.quit();
  });

  test('REST+STOR past the limit is 552 and keeps the bytes before the restart point', async () => {
    const client = await RawFtp.login(server.port, 'rest', 'rest-pw');
    const whole = patternBytes(150_000, 5);
    await client.put('resume.bin', whole.subarray(0, 60_000));
    assert.equal((await uploadCode(client, 'STOR resume.bin', whole.subarray(60_000), 60_000)).code, 552);
    assert.equal((await client.send('SIZE resume.bin')).text, '60000');
    assert.deepEqual(await client.get('resume.bin'), whole.subarray(0, 60_000));
    await assertUsageMatchesDisk(client, home('rest'), LIMIT, 60_000);
    // A resume that ends exactly at the limit passes.
    await client.put('resume.bin', whole.subarray(60_000, LIMIT), 'STOR', { restAt: 60_000 });
    assert.deepEqual(await client.get('resume.bin'), whole.subarray(0, LIMIT));
    await assertUsageMatchesDisk(client, home('rest'), LIMIT, LIMIT);
    await client.quit();
  });

  test('STOU past the limit is 552 and its uniquely named file is gone', async () => {
    const client = await RawFtp.login(server.port, 'stou', 'stou-pw');
    await client.put('base.bin', patternBytes(60_000));
    const { code, preliminary } = await uploadCode(client, 'STOU', patternBytes(50_000));
    assert.equal(code, 552);
    const unique = /FILE: (\S+)/.exec(preliminary)?.[1];
    assert.ok(unique, `150 should name the file: ${preliminary}`);
    assert.equal((await client.send(`SIZE ${unique}`)).code, 550);
    assert.deepEqual(await names(client), ['base.bin']);
    await assertUsageMatchesDisk(client, home('stou'), LIMIT, 60_000);
    await client.quit();
  });

  test('SITE CPTO past the limit is 552 and no copy exists; a copy that fits passes', async () => {
    const client = await RawFtp.login(server.port, 'copy', 'copy-pw');
    await client.put('big.bin', patternBytes(60_000));
    await client.expect('SITE CPFR big.bin', 350);
    assert.equal((await client.send('SITE CPTO big-copy.bin')).code, 552);
    assert.equal((await client.send('SIZE big-copy.bin')).code, 550);
    assert.deepEqual(await names(client), ['big.bin']);
    await assertUsageMatchesDisk(client, home('copy'), LIMIT, 60_000);
    await client.put('small.bin', patternBytes(20_000));
    await client.expect('SITE CPFR small.bin', 350);
    await client.expect('SITE CPTO small-copy.bin', 250);
    await assertUsageMatchesDisk(client, home('copy'), LIMIT, LIMIT);
    // Copying over a file of the same size needs no extra room.
    await client.expect('SITE CPFR small.bin', 350);
    await client.expect('SITE CPTO small-copy.bin', 250);
    await assertUsageMatchesDisk(client, home('copy'), LIMIT, LIMIT);
    await client.quit();
  });

  test('an overwrite counts the replaced file as freed, and one past the limit keeps the old content', async () => {
    const client = await RawFtp.login(server.port, 'replace', 'replace-pw');
    await client.put('doc.bin', patternBytes(60_000, 8));
    await client.put('doc.bin', patternBytes(LIMIT, 9));
    await assertUsageMatchesDisk(client, home('replace'), LIMIT, LIMIT);
    assert.equal((await uploadCode(client, 'STOR doc.bin', patternBytes(LIMIT + 1, 10))).code, 552);
    assert.deepEqual(await client.get('doc.bin'), patternBytes(LIMIT, 9));
    await assertUsageMatchesDisk(client, home('replace'), LIMIT, LIMIT);
    await client.quit();
  });
});

describe('overlapping overwrites of one file', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer({ accounts: [{ name: 'writer', password: 'writer-pw', quotaLimit: LIMIT }] });
  });
  after(() => server.stop());

  test('two sessions replacing the same file at once leave SITE QUOTA equal to the bytes on disk', async () => {
    const home = join(server.dataDir, 'storage', 'writer');
    const [first, second] = await Promise.all([RawFtp.login(server.port, 'writer', 'writer-pw'), RawFtp.login(server.port, 'writer', 'writer-pw')]);
    if (!first || !second) throw new Error('login failed');
    await first.put('shared.bin', patternBytes(20_000, 1));
    // Both uploads start while the 20 000-byte file is there; the first finishes, then the second replaces the first's file.
    const firstData = await first.openData();
    const secondData = await second.openData();
    await first.expect('STOR shared.bin', 150);
    await second.expect('STOR shared.bin', 150);
    firstData.end(patternBytes(30_000, 2));
    assert.equal((await first.read()).code, 226);
    secondData.end(patternBytes(40_000, 3));
    assert.equal((await second.read()).code, 226);
    assert.deepEqual(await first.get('shared.bin'), patternBytes(40_000, 3));
    await assertUsageMatchesDisk(first, home, LIMIT, 40_000);
    await Promise.all([first.quit(), second.quit()]);
  });
});

describe('two uploads to one file at once', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer({ accounts: ['appender', 'creator'].map((name) => ({ name, password: `${name}-pw`, quotaLimit: LIMIT })) });
  });
  after(() => server.stop());

  // Undoing an APPE refused with 552 cuts the file back to where that APPE began; an
  // APPE of another session that landed meanwhile must not be cut with it.
  test('an APPE refused with 552 does not take away the bytes of an APPE that succeeded meanwhile', async () => {
    const home = join(server.dataDir, 'storage', 'appender');
    const [big, small] = await Promise.all([RawFtp.login(server.port, 'appender', 'appender-pw'), RawFtp.login(server.port, 'appender', 'appender-pw')]);
    if (!big || !small) throw new Error('login failed');
    const original = patternBytes(10_000, 1);
    await big.put('log.bin', original);
    const bigData = await big.openData();
    await big.expect('APPE log.bin', 150);
    bigData.write(patternBytes(40_000, 2));
    await waitForSize(join(home, 'log.bin'), 50_000);
    // The second APPE runs while the first is open; whether it waits for the first is the server's choice.
    const smallBody = patternBytes(1_000, 3);
    const smallUpload = small.upload('APPE log.bin', smallBody);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The first now passes the limit: 10 000 + 40 000 + 1 000 + 60 000 > 100 000.
    bigData.end(patternBytes(60_000, 4));
    assert.equal((await big.read()).code, 552);
    bigData.destroy();
    const { preliminary, final } = await smallUpload;
    assert.equal(preliminary.code, 150, preliminary.text);
    assert.equal(final?.code, 226, final?.text);
    assert.deepEqual(await big.get('log.bin'), Buffer.concat([original, smallBody]), 'the file is the original and the APPE that succeeded');
    await assertUsageMatchesDisk(big, home, LIMIT, 11_000);
    await Promise.all([big.quit(), small.quit()]);
  });

  // A STOR of a new file writes at its own offsets; an APPE that lands meanwhile at the
  // current end would be overwritten by the STOR's later bytes, yet counted and acknowledged.
  test('an APPE while a STOR creates the file: both acknowledged, both in the file, one after the other; SITE QUOTA equals the disk', async () => {
    const home = join(server.dataDir, 'storage', 'creator');
    const [storer, appender] = await Promise.all([RawFtp.login(server.port, 'creator', 'creator-pw'), RawFtp.login(server.port, 'creator', 'creator-pw')]);
    if (!storer || !appender) throw new Error('login failed');
    const storBody = patternBytes(60_000, 5);
    const storData = await storer.openData();
    await storer.expect('STOR new.bin', 150);
    storData.write(storBody.subarray(0, 30_000));
    await waitForSize(join(home, 'new.bin'), 30_000);
    const appendBody = patternBytes(500, 6);
    const appendUpload = appender.upload('APPE new.bin', appendBody);
    await new Promise((resolve) => setTimeout(resolve, 300));
    storData.end(storBody.subarray(30_000));
    assert.equal((await storer.read()).code, 226);
    storData.destroy();
    const { preliminary, final } = await appendUpload;
    assert.equal(preliminary.code, 150, preliminary.text);
    assert.equal(final?.code, 226, final?.text);
    assert.deepEqual(await storer.get('new.bin'), Buffer.concat([storBody, appendBody]), 'the STOR, then the APPE');
    await assertUsageMatchesDisk(storer, home, LIMIT, 60_500);
    await Promise.all([storer.quit(), appender.quit()]);
  });
});

describe(`quota race: ${RACERS} sessions of one user upload at once`, () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer({ accounts: [{ name: 'racer', password: 'racer-pw', quotaLimit: RACE_LIMIT }] });
  });
  after(() => server.stop());

  test('together they never pass the limit, and SITE QUOTA equals the bytes on disk', async () => {
    const size = 300_000;
    const chunk = 16 * 1024;
    const clients = await Promise.all(Array.from({ length: RACERS }, () => RawFtp.login(server.port, 'racer', 'racer-pw')));
    const bodies = clients.map((_, index) => patternBytes(size, 100 + index));
    // Open every data connection and get every 150 first, so that all uploads really run at once.
    const sockets = await Promise.all(clients.map((client) => client.openData()));
    const preliminaries = await Promise.all(clients.map((client, index) => client.send(`STOR racer-${index}.bin`)));
    for (const reply of preliminaries) assert.equal(reply.code, 150, reply.text);
    for (let offset = 0; offset < size; offset += chunk) {
      for (const [index, socket] of sockets.entries()) if (!socket.destroyed) socket.write((bodies[index] as Buffer).subarray(offset, offset + chunk));
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const socket of sockets) socket.end();
    const finals = await Promise.all(clients.map((client) => client.read()));
    for (const socket of sockets) socket.destroy();

    const codes = finals.map((reply) => reply.code);
    for (const code of codes) assert.ok(code === 226 || code === 552, `every upload ends 226 or 552, got ${codes.join(',')}`);
    assert.ok(codes.includes(552), `${RACERS} x ${size} bytes cannot all fit in ${RACE_LIMIT}: ${codes.join(',')}`);
    assert.ok(codes.filter((code) => code === 226).length * size <= RACE_LIMIT, `too many uploads succeeded: ${codes.join(',')}`);

    const home = join(server.dataDir, 'storage', 'racer');
    const checker = clients[0] as RawFtp;
    for (const [index, code] of codes.entries()) {
      const path = join(home, `racer-${index}.bin`);
      if (code === 226) assert.deepEqual(readFileSync(path), bodies[index], `racer-${index}.bin is whole`);
      else assert.equal(existsSync(path), false, `racer-${index}.bin was refused yet is on disk`);
    }
    const used = await assertUsageMatchesDisk(checker, home, RACE_LIMIT);
    assert.equal(used, codes.filter((code) => code === 226).length * size);
    await Promise.all(clients.map((client) => client.quit()));
  });

  test('two sessions that would overflow only together cannot both succeed', async () => {
    const first = await RawFtp.login(server.port, 'racer', 'racer-pw');
    const second = await RawFtp.login(server.port, 'racer', 'racer-pw');
    for (const name of await names(first)) await first.expect(`DELE ${name}`, 250);
    const size = 600_000;
    const [a, b] = await Promise.all([
      uploadCode(first, 'STOR pair-a.bin', patternBytes(size, 1)),
      uploadCode(second, 'STOR pair-b.bin', patternBytes(size, 2)),
    ]);
    assert.ok(!(a.code === 226 && b.code === 226), `both uploads of ${size} bytes passed a ${RACE_LIMIT} limit`);
    await assertUsageMatchesDisk(first, join(server.dataDir, 'storage', 'racer'), RACE_LIMIT);
    await Promise.all([first.quit(), second.quit()]);
  });
});
