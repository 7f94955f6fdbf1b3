/**
 * The quota under concurrent rename, delete, replace and append (protocol.md
 * "Quota"): whatever two or more sessions of one user do to the same names at
 * once, the bytes in the home never pass the limit, SITE QUOTA equals `du -b`
 * of the home afterwards, and bytes written to a file that was deleted or
 * replaced meanwhile are given back. Deterministic two-session cases first,
 * then a seeded, bounded random interleaving checked after every round.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer, type TempServer } from './temp-server.ts';
import { RawFtp } from '../test/raw-ftp-client.ts';
import { bytesOnDisk, parseQuota, patternBytes } from '../test/extension-kit.ts';

const LIMIT = 1_000_000;
const SIZE = 600_000;
const HALF = SIZE / 2;

let server: TempServer;
let account = 0;

before(async () => {
  const accounts = Array.from({ length: 8 }, (_, index) => ({ name: `q${index}`, password: `q${index}-pw`, quotaLimit: LIMIT }));
  server = await startTempServer({ accounts, settings: { maxPerUser: 20 } });
});
after(() => server.stop());

/** A fresh account (own home, own ledger) with two logged-in sessions. */
async function twoSessions(): Promise<{ home: string; a: RawFtp; b: RawFtp }> {
  const name = `q${account++}`;
  const a = await RawFtp.login(server.port, name, `${name}-pw`);
  const b = await RawFtp.login(server.port, name, `${name}-pw`);
  if (!a || !b) throw new Error('login failed');
  const home = join(server.dataDir, 'storage', name);
  await mkdir(home, { recursive: true });
  return { home, a, b };
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The bytes of the files in a folder (not nested) while sessions change it: a file gone between listing and stat counts 0. */
function bytesNow(folder: string): number {
  return readdirSync(folder).reduce((sum, name) => sum + sizeOf(join(folder, name)), 0);
}

/** A replacing STOR writes beside the server's files first: wait until one such file holds `bytes`. */
function temporaryHolds(bytes: number): boolean {
  const tmp = join(server.dataDir, 'tmp');
  return existsSync(tmp) && readdirSync(tmp).some((name) => sizeOf(join(tmp, name)) >= bytes);
}

/** SITE QUOTA's used equals the bytes in the home, which are within the limit. */
async function assertQuotaIsDisk(client: RawFtp, home: string): Promise<number> {
  const quota = parseQuota((await client.send('SITE QUOTA')).text);
  const onDisk = bytesOnDisk(home);
  assert.equal(quota.used, onDisk, `SITE QUOTA used=${quota.used} but the home holds ${onDisk} bytes`);
  assert.ok(onDisk <= LIMIT, `the home holds ${onDisk} bytes, past the limit ${LIMIT}`);
  return onDisk;
}

describe('the quota when another session renames, deletes or replaces a file being uploaded', () => {
  test('RNFR/RNTO of a file while a replacing STOR of it runs: the home never passes the limit', async () => {
    const { home, a, b } = await twoSessions();
    await a.put('a.bin', patternBytes(SIZE, 1));
    const data = await a.openData();
    await a.expect('STOR a.bin', 150);
    data.write(patternBytes(HALF, 2));
    await until('the replacing STOR has half its bytes', () => temporaryHolds(HALF));
    await b.expect('RNFR a.bin', 350);
    await b.expect('RNTO b.bin', 250);
    data.end(patternBytes(HALF, 3));
    const final = await a.read();
    data.destroy();
    // The old file now lives on as b.bin, so the new a.bin (600,000 more) no longer fits: 552.
    assert.equal(final.code, 552, `${final.code} ${final.text}; the home holds ${bytesOnDisk(home)}`);
    assert.equal(await assertQuotaIsDisk(a, home), SIZE);
    await Promise.all([a.quit(), b.quit()]);
  });

  test('DELE and a new STOR while a replacing STOR runs: the replacing one no longer fits', async () => {
    const { home, a, b } = await twoSessions();
    await a.put('a.bin', patternBytes(SIZE, 1));
    const data = await a.openData();
    await a.expect('STOR a.bin', 150);
    data.write(patternBytes(HALF, 2));
    await until('the replacing STOR has half its bytes', () => temporaryHolds(HALF));
    await b.expect('DELE a.bin', 250);
    await b.put('c.bin', patternBytes(SIZE, 4));
    data.end(patternBytes(HALF, 3));
    const final = await a.read();
    data.destroy();
    assert.equal(final.code, 552, `${final.code} ${final.text}; the home holds ${bytesOnDisk(home)}`);
    assert.equal(await assertQuotaIsDisk(a, home), SIZE);
    await Promise.all([a.quit(), b.quit()]);
  });

  test('DELE during a creating STOR: the bytes written to the deleted file are released', async () => {
    const { home, a, b } = await twoSessions();
    const data = await a.openData();
    await a.expect('STOR new.bin', 150);
    data.write(patternBytes(HALF, 5));
    await until('the new file has half its bytes', () => sizeOf(join(home, 'new.bin')) >= HALF);
    await b.expect('DELE new.bin', 250);
    data.end(patternBytes(HALF, 6));
    const final = await a.read();
    data.destroy();
    assert.ok(final.code === 226 || final.code === 451 || final.code === 426, `${final.code} ${final.text}`);
    assert.equal(existsSync(join(home, 'new.bin')), false);
    assert.equal(await assertQuotaIsDisk(a, home), 0);
    // The room is really free again: a file of the whole limit fits.
    await a.put('whole.bin', patternBytes(LIMIT, 7));
    await Promise.all([a.quit(), b.quit()]);
  });

  test('STOR during an APPE: the appended bytes went with the replaced file and are released', async () => {
    const { home, a, b } = await twoSessions();
    const data = await a.openData();
    await a.expect('APPE log.bin', 150);
    data.write(patternBytes(HALF, 8));
    await until('the APPE has half its bytes', () => sizeOf(join(home, 'log.bin')) >= HALF);
    await b.put('log.bin', patternBytes(10, 9));
    data.end(patternBytes(HALF, 10));
    const final = await a.read();
    data.destroy();
    assert.equal(final.code, 226, final.text);
    assert.equal(sizeOf(join(home, 'log.bin')), 10);
    assert.equal(await assertQuotaIsDisk(a, home), 10);
    await Promise.all([a.quit(), b.quit()]);
  });

  test('RNTO over a file an APPE is writing: its bytes are released, the moved file counted', async () => {
    const { home, a, b } = await twoSessions();
    await a.put('other.bin', patternBytes(1_000, 11));
    const data = await a.openData();
    await a.expect('APPE log.bin', 150);
    data.write(patternBytes(HALF, 12));
    await until('the APPE has half its bytes', () => sizeOf(join(home, 'log.bin')) >= HALF);
    await b.expect('RNFR other.bin', 350);
    await b.expect('RNTO log.bin', 250);
    data.end(patternBytes(HALF, 13));
    assert.equal((await a.read()).code, 226);
    data.destroy();
    assert.equal(await assertQuotaIsDisk(a, home), 1_000);
    await Promise.all([a.quit(), b.quit()]);
  });
});

/** An upload whose data connection breaks after half its bytes: what arrived is kept (426 or 226). */
async function cutUpload(client: RawFtp, command: string, body: Buffer): Promise<unknown> {
  const data = await client.openData();
  const preliminary = await client.send(command);
  if (preliminary.code !== 150) {
    data.destroy();
    return preliminary;
  }
  await new Promise<void>((resolve) => data.write(body.subarray(0, body.length / 2), () => resolve()));
  data.resetAndDestroy();
  return client.read();
}

/** A small seeded generator (mulberry32), so a failing round can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// To replay or widen a run: QUOTA_RACE_SEED, QUOTA_RACE_ROUNDS, QUOTA_RACE_KINDS (e.g. STOR,DELE).
// The plan of each round follows from the seed; how its commands interleave on the server does not.
const SEED = Number(process.env.QUOTA_RACE_SEED ?? 20261202);
const ROUNDS = Number(process.env.QUOTA_RACE_ROUNDS ?? 30);
const SESSIONS = 6;
const NAMES = ['a.bin', 'b.bin', 'c.bin'];
const ALL_KINDS = ['STOR', 'APPE', 'REST', 'STOU', 'COPY', 'RENAME', 'DELE', 'CUT'] as const;
const KINDS = process.env.QUOTA_RACE_KINDS ? ALL_KINDS.filter((kind) => process.env.QUOTA_RACE_KINDS!.split(',').includes(kind)) : ALL_KINDS;

describe(`the quota under a random interleaving (seed ${SEED}, ${ROUNDS} rounds of ${SESSIONS} sessions)`, () => {
  test('after every round SITE QUOTA equals du -b of the home, and the home never passed the limit', async () => {
    const name = `q${account++}`;
    const home = join(server.dataDir, 'storage', name);
    await rm(home, { recursive: true, force: true });
    await mkdir(home, { recursive: true });
    const sessions = await Promise.all(Array.from({ length: SESSIONS }, () => RawFtp.login(server.port, name, `${name}-pw`)));
    const clients = sessions.map((client) => {
      if (!client) throw new Error('login failed');
      return client;
    });
    const next = random(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    let highest = 0;
    const sampler = setInterval(() => (highest = Math.max(highest, bytesNow(home))), 2);
    const log: string[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const plan = clients.map((client, index) => {
          const target = pick(NAMES);
          const size = 50_000 + Math.floor(next() * 350_000);
          const body = patternBytes(size, round * 100 + index);
          const kind = pick(KINDS);
          const other = pick(NAMES.filter((n) => n !== target));
          log.push(`round ${round} session ${index}: ${kind} ${target} ${kind === 'COPY' || kind === 'RENAME' ? other : size}`);
          return async () => {
            switch (kind) {
              case 'STOR':
              case 'APPE':
                return client.upload(`${kind} ${target}`, body);
              case 'REST':
                return client.upload(`STOR ${target}`, body, { restAt: Math.floor(next() * 100_000) });
              case 'STOU':
                return client.upload('STOU', body);
              case 'COPY':
                if ((await client.send(`SITE CPFR ${target}`)).code === 350) await client.send(`SITE CPTO ${other}`);
                return null;
              case 'RENAME':
                if ((await client.send(`RNFR ${target}`)).code === 350) await client.send(`RNTO ${other}`);
                return null;
              case 'DELE':
                return client.send(`DELE ${target}`);
              case 'CUT':
                return cutUpload(client, `${pick(['STOR', 'APPE'])} ${target}`, body);
            }
          };
        });
        await Promise.all(plan.map((step) => step()));
        const quota = parseQuota((await (clients[0] as RawFtp).send('SITE QUOTA')).text);
        const onDisk = bytesOnDisk(home);
        assert.equal(quota.used, onDisk, `after round ${round}: SITE QUOTA used=${quota.used}, du -b ${onDisk}\n${log.slice(-SESSIONS).join('\n')}`);
        assert.ok(highest <= LIMIT, `during round ${round} the home held ${highest} bytes, past ${LIMIT}\n${log.slice(-SESSIONS).join('\n')}`);
        // STOU names pile up: clear them so that the names in play keep meeting.
        for (const entry of readdirSync(home)) if (!NAMES.includes(entry)) await (clients[0] as RawFtp).send(`DELE ${entry}`);
      }
    } finally {
      clearInterval(sampler);
      await Promise.all(clients.map((client) => client.quit()));
    }
  });
});
