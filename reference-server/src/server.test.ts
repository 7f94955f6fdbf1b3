/**
 * The listening server: limits (protocol.md "Limits": past them 421 and close,
 * everyone else keeps being served) and graceful shutdown.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer, type TempServer } from './temp-server.ts';
import { ControlClient, collect, delay, withTimeout } from '../test/control-client.ts';
import type { Settings } from './config.ts';

/** Runs `body` with a temp server, always stopping it and every client. */
async function withServer(settings: Partial<Settings>, body: (server: TempServer, open: typeof ControlClient.connect) => Promise<void>): Promise<void> {
  const server = await startTempServer({ settings });
  const clients: ControlClient[] = [];
  const open = async (port: number, options?: { host?: string; localAddress?: string }) => {
    const client = await ControlClient.connect(port, options);
    clients.push(client);
    return client;
  };
  try {
    await body(server, open);
  } finally {
    for (const client of clients) client.close();
    await server.stop();
  }
}

describe('connection limits', () => {
  it('maxConnections: 2 -> the third connection gets 421 while the first two still answer', async () => {
    await withServer({ maxConnections: 2 }, async (server, open) => {
      const first = await open(server.port);
      const second = await open(server.port);
      await first.expectReply(220);
      await second.expectReply(220);
      const third = await open(server.port);
      const refusal = await third.expectReply(421);
      assert.match(refusal.text, /too many/i);
      await third.waitClosed();
      await first.expect('NOOP', 200);
      await second.expect('NOOP', 200);
      await first.login('alice', 'alice-pw');

      await second.expect('QUIT', 221);
      await second.waitClosed();
      await delay(50);
      const fourth = await open(server.port);
      await fourth.expectReply(220, 2000);
      await fourth.expect('NOOP', 200);
    });
  });

  it('maxPerUser: 1 -> a second login of the same account gets 421; others log in; the slot comes back', async () => {
    await withServer({ maxPerUser: 1 }, async (server, open) => {
      const first = await open(server.port);
      await first.expectReply(220);
      await first.login('alice', 'alice-pw');
      const second = await open(server.port);
      await second.expectReply(220);
      await second.expect('USER alice', 331);
      await second.expect('PASS alice-pw', 421);
      await second.waitClosed();
      const bob = await open(server.port);
      await bob.expectReply(220);
      await bob.login('bob', 'bob-pw');
      await first.expect('PWD', 257);

      // Logging out (REIN, QUIT or USER) gives the slot back.
      await first.expect('REIN', 220);
      const third = await open(server.port);
      await third.expectReply(220);
      await third.login('alice', 'alice-pw');
      await third.expect('QUIT', 221);
      await third.waitClosed();
      await delay(50);
      await first.login('alice', 'alice-pw');
    });
  });

  it('maxPerAddress: 1 -> a second connection from the same address gets 421', async () => {
    await withServer({ maxPerAddress: 1 }, async (server, open) => {
      const first = await open(server.port);
      await first.expectReply(220);
      const second = await open(server.port);
      await second.expectReply(421);
      await second.waitClosed();
      const other = await open(server.port, { localAddress: '127.0.0.2' });
      await other.expectReply(220);
      await first.expect('NOOP', 200);
    });
  });

  it('idleTimeout: 1 -> 421 and close after a second of silence; an active session stays', async () => {
    await withServer({ idleTimeout: 1 }, async (server, open) => {
      const idle = await open(server.port);
      const busy = await open(server.port);
      await idle.expectReply(220);
      await busy.expectReply(220);
      const started = Date.now();
      const timer = setInterval(() => busy.send('NOOP'), 300);
      try {
        const reply = await idle.expectReply(421, 4000);
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 800 && elapsed < 3500, `closed after ${elapsed} ms`);
        assert.match(reply.text, /idle|timeout/i);
        await idle.waitClosed();
      } finally {
        clearInterval(timer);
      }
      assert.ok(!busy.isClosed, 'a session that talks is not idle');
      assert.equal(busy.replies.filter((reply) => reply.code === 200).length >= 3, true);
    });
  });
});

describe('graceful stop', () => {
  it('server.stop() lets a running transfer finish, refuses new connections, then closes everyone with 421', async () => {
    const server = await startTempServer({ settings: { shutdownGrace: 10 } });
    const payload = randomBytes(8 * 1024 * 1024);
    await mkdir(join(server.dataDir, 'storage', 'alice'), { recursive: true });
    await writeFile(join(server.dataDir, 'storage', 'alice', 'big.bin'), payload);
    const mover = await ControlClient.open(server.port, { user: 'alice', password: 'alice-pw' });
    const idle = await ControlClient.open(server.port, { user: 'bob', password: 'bob-pw' });
    try {
      await mover.expect('TYPE I', 200);
      const data = await mover.openPassive();
      data.pause();
      const body = collect(data);
      await mover.expect('RETR big.bin', 150);
      // The transfer cannot finish while the client does not read: stop now.
      const stopped = server.server.stop(10_000);
      await idle.expectReply(421);
      await idle.waitClosed();
      const refused = connect({ host: '127.0.0.1', port: server.port });
      const [error] = (await withTimeout(once(refused, 'error'), 2000, 'a refused connect')) as [NodeJS.ErrnoException];
      assert.equal(error.code, 'ECONNREFUSED');
      assert.ok(!mover.isClosed, 'the session with a transfer is still open');
      data.resume();
      const received = await body;
      assert.equal(createHash('sha256').update(received).digest('hex'), createHash('sha256').update(payload).digest('hex'));
      await mover.expectReply(226);
      await mover.expectReply(421);
      await mover.waitClosed();
      await withTimeout(stopped, 5000, 'stop() resolves');
    } finally {
      mover.close();
      idle.close();
      await server.stop();
    }
  });
});
