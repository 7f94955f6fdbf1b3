/**
 * Slowloris: connections that trickle bytes must not keep their slots. The
 * idle timer restarts only on a complete command (a byte a second never ends
 * a line), and a session that does not log in has a deadline (proftpd's
 * TimeoutLogin), however many complete commands it sends.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTempServer, type TempServer } from './temp-server.ts';
import { ControlClient } from '../test/control-client.ts';
import type { Settings } from './config.ts';

let server: TempServer | undefined;
const clients: ControlClient[] = [];
const timers: NodeJS.Timeout[] = [];

async function start(settings: Partial<Settings>): Promise<TempServer> {
  server = await startTempServer({ settings });
  return server;
}

async function open(port: number): Promise<ControlClient> {
  const client = await ControlClient.open(port);
  clients.push(client);
  return client;
}

/** Sends `next()` every `everyMs` until the connection closes. */
function trickle(client: ControlClient, everyMs: number, next: () => string): void {
  const timer = setInterval(() => (client.isClosed ? clearInterval(timer) : client.write(next())), everyMs);
  timers.push(timer);
}

afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const client of clients.splice(0)) client.close();
  await server?.stop();
  server = undefined;
});

describe('slowloris: trickled bytes and endless unauthenticated sessions lose their slots', () => {
  test('a byte every 200 ms never makes a command: the idle timeout (1 s) still closes the session with 421, and its slot is free again', async () => {
    const { port } = await start({ idleTimeout: 1, maxConnections: 2 });
    const slow = [await open(port), await open(port)];
    for (const client of slow) trickle(client, 200, () => 'N');
    for (const client of slow) await client.waitClosed(8000);
    for (const client of slow) assert.equal(client.replies.at(-1)?.code, 421, client.dump());
    const next = await open(port);
    assert.equal((await next.command('NOOP')).code, 200, 'a new client is served once the trickling ones are gone');
  });

  test('complete commands but no login: the login deadline (1 s) closes the session with 421', async () => {
    const { port } = await start({ idleTimeout: 60, loginTimeout: 1 });
    const client = await open(port);
    trickle(client, 200, () => 'NOOP\r\n');
    await client.waitClosed(8000);
    assert.equal(client.replies.at(-1)?.code, 421, client.dump());
    assert.match(client.replies.at(-1)?.text ?? '', /log ?in/i, client.dump());
  });

  test('a session that logged in is not cut by the login deadline, and a REIN starts a new one', async () => {
    // 3 s, not 1: the login itself must fit in it on a loaded machine.
    const { port } = await start({ idleTimeout: 60, loginTimeout: 3 });
    const client = await open(port);
    await client.login('alice', 'alice-pw');
    // Longer than the login deadline, busy all along: still served.
    for (let i = 0; i < 20; i++) {
      assert.equal((await client.command('NOOP')).code, 200, client.dump());
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await client.expect('REIN', 220);
    trickle(client, 200, () => 'NOOP\r\n');
    await client.waitClosed(12_000);
    assert.equal(client.replies.at(-1)?.code, 421, client.dump());
  });
});
