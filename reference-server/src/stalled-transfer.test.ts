/**
 * Stalled transfers (vsftpd's data_connection_timeout, proftpd's TimeoutStalled):
 * a transfer whose data connection moves no byte for dataTimeout seconds ends
 * with 426 and its session goes on, so a client that opens a data connection
 * and never reads it (RETR) or never writes it (STOR) cannot hold its login
 * slot forever. A slow reader that keeps taking bytes is not cut.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { startTempServer, type TempServer } from './temp-server.ts';
import { ControlClient, collect } from '../test/control-client.ts';

/** Larger than what loopback socket buffers hold, so an unread RETR cannot finish into them. */
const BIG = 64 * 1024 * 1024;
const ANONYMOUS = { user: 'anonymous', password: 'guest@example.com' };

let server: TempServer;
/** For the transfers that must not be cut: a longer dataTimeout, so a loaded machine cannot fake a stall. */
let patient: TempServer;
const clients: ControlClient[] = [];
const sockets: Socket[] = [];

async function open(login: { user: string; password: string }, target = server): Promise<ControlClient> {
  const client = await ControlClient.open(target.port, login);
  clients.push(client);
  await client.expect('TYPE I', 200);
  return client;
}

before(async () => {
  server = await startTempServer({ settings: { dataTimeout: 1, maxPerUser: 2 } });
  await writeFile(join(server.dataDir, 'public', 'big.bin'), Buffer.alloc(BIG, 0x61));
  patient = await startTempServer({ settings: { dataTimeout: 3 } });
  // bob's jail is his home (made at his first login, here before it).
  await mkdir(join(patient.dataDir, 'storage', 'bob'), { recursive: true });
  await writeFile(join(patient.dataDir, 'storage', 'bob', 'medium.bin'), Buffer.alloc(12 * 1024 * 1024, 0x62));
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  for (const client of clients) client.close();
  await server.stop();
  await patient.stop();
});

describe('a data connection that moves nothing for dataTimeout (1 s) ends its transfer with 426', () => {
  test('RETR never read, in every anonymous slot: each gets 426, its session answers NOOP, and anonymous logins work again', async () => {
    const stalled = [await open(ANONYMOUS), await open(ANONYMOUS)];
    for (const client of stalled) {
      const data = await client.openPassive();
      data.pause();
      sockets.push(data);
      await client.expect('RETR big.bin', 150);
    }
    for (const client of stalled) {
      const end = await client.read(15_000);
      assert.equal(end.code, 426, client.dump());
      assert.equal((await client.command('NOOP')).code, 200, client.dump());
    }
    for (const client of stalled) await client.expect('QUIT', 221);
    const next = await open(ANONYMOUS);
    assert.equal((await next.command('PWD')).code, 257, 'a new anonymous login is served');
  });

  test('STOR whose data connection stays silent gets 426, and the session goes on', async () => {
    const client = await open({ user: 'alice', password: 'alice-pw' });
    const data = await client.openPassive();
    sockets.push(data);
    await client.expect('STOR silent.bin', 150);
    const end = await client.read(15_000);
    assert.equal(end.code, 426, client.dump());
    assert.equal((await client.command('NOOP')).code, 200, client.dump());
  });

});

describe('transfers that move data, or wait on the server, are not stalled (dataTimeout 3 s)', () => {
  test('an APPE waiting for the file another APPE holds is not stalled: the server is the one not reading', async () => {
    const first = await open({ user: 'alice', password: 'alice-pw' }, patient);
    const second = await open({ user: 'alice', password: 'alice-pw' }, patient);
    const slow = await first.openPassive();
    sockets.push(slow);
    await first.expect('APPE shared.txt', 150);
    // The first keeps its data moving, a byte every 200 ms, for longer than dataTimeout.
    let sent = 0;
    const trickle = setInterval(() => {
      slow.write('a');
      if (++sent === 25) {
        clearInterval(trickle);
        slow.end();
      }
    }, 200);
    const waiting = await second.openPassive();
    sockets.push(waiting);
    await second.expect('APPE shared.txt', 150);
    waiting.end('b');
    assert.equal((await first.read(15_000)).code, 226, first.dump());
    assert.equal((await second.read(15_000)).code, 226, second.dump());
    assert.equal(readFileSync(join(patient.dataDir, 'storage', 'alice', 'shared.txt'), 'utf8'), `${'a'.repeat(25)}b`);
  });

  test('a reader that takes bytes in bursts, pausing less than dataTimeout, gets the whole file and 226', async () => {
    const client = await open({ user: 'bob', password: 'bob-pw' }, patient);
    const data = await client.openPassive();
    sockets.push(data);
    const body = collect(data);
    data.pause();
    const bursts = setInterval(() => {
      data.resume();
      setTimeout(() => data.pause(), 20);
    }, 400);
    try {
      await client.expect('RETR medium.bin', 150);
      assert.equal((await body).length, 12 * 1024 * 1024);
      assert.equal((await client.read(15_000)).code, 226, client.dump());
    } finally {
      clearInterval(bursts);
    }
  });
});
