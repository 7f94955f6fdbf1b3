/**
 * Failed logins slow down across connections (login-brake.ts): the count that
 * sets the wait lives beyond one connection, per address and per account, and
 * parallel failures on one key queue behind each other. The waits are checked
 * as numbers the brake decides (and the auth log records), never by timing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LoginBrake } from './login-brake.ts';
import { startTempServer, type TempServer } from './temp-server.ts';
import { ControlClient } from '../test/control-client.ts';

describe('LoginBrake', () => {
  let clock = 0;
  const brake = () => new LoginBrake(100, () => clock);

  test('each failure on a key waits the base delay times its count, up to 20 times the base', () => {
    const subject = brake();
    const waits: number[] = [];
    for (let i = 0; i < 25; i++) {
      const { waitMs } = subject.fail(LoginBrake.keys('192.0.2.1', null));
      waits.push(waitMs);
      clock += waitMs;
    }
    assert.deepEqual(waits.slice(0, 4), [100, 200, 300, 400]);
    assert.deepEqual(waits.slice(19), [2000, 2000, 2000, 2000, 2000, 2000]);
  });

  test('the account counts across addresses, the address across accounts; the larger count wins', () => {
    const subject = brake();
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      clock += 60_000;
      subject.fail(LoginBrake.keys(address, 'alice'));
    }
    clock += 60_000;
    assert.equal(subject.fail(LoginBrake.keys('192.0.2.4', 'alice')).recentFailures, 4, 'alice, from a fourth address');
    clock += 60_000;
    assert.equal(subject.fail(LoginBrake.keys('192.0.2.1', 'bob')).recentFailures, 2, 'bob, from the first address');
  });

  test('failures at the same moment queue: parallel connections get no more guesses per second', () => {
    const subject = brake();
    const waits = [1, 2, 3].map(() => subject.fail(LoginBrake.keys('192.0.2.9', null)).waitMs);
    assert.deepEqual(waits, [100, 100 + 200, 300 + 300]);
  });

  test('a successful login forgets; so does ten minutes of quiet', () => {
    const subject = brake();
    const keys = LoginBrake.keys('192.0.2.5', 'carol');
    for (let i = 0; i < 5; i++) subject.fail(keys);
    subject.succeed(keys);
    clock += 60_000;
    assert.equal(subject.fail(keys).recentFailures, 1);
    clock += 10 * 60 * 1000;
    assert.equal(subject.fail(keys).recentFailures, 1);
  });

  test('a guesser who logs in to an account of its own between guesses at others keeps its address count', () => {
    const subject = brake();
    const counts: number[] = [];
    for (const victim of ['victim1', 'victim2', 'victim3', 'victim4']) {
      clock += 60_000;
      counts.push(subject.fail(LoginBrake.keys('192.0.2.7', victim)).recentFailures);
      subject.succeed(LoginBrake.keys('192.0.2.7', 'mallory'));
    }
    assert.deepEqual(counts, [1, 2, 3, 4]);
  });

  test('a successful login clears its address of the failures against that account and against names that are no account', () => {
    const subject = brake();
    subject.fail(LoginBrake.keys('192.0.2.8', null));
    subject.fail(LoginBrake.keys('192.0.2.8', null));
    subject.fail(LoginBrake.keys('192.0.2.8', 'carol'));
    subject.fail(LoginBrake.keys('192.0.2.8', 'dave'));
    subject.succeed(LoginBrake.keys('192.0.2.8', 'carol'));
    clock += 60_000;
    assert.equal(subject.fail(LoginBrake.keys('192.0.2.8', null)).recentFailures, 2, "dave's failure and this one");
  });

  test('memory is bounded: at most 10,000 keys, the least recently failed go first', () => {
    const subject = brake();
    for (let i = 0; i < 10_050; i++) subject.fail(LoginBrake.keys(`10.0.${Math.floor(i / 256)}.${i % 256}`, null));
    const size = (subject as unknown as { records: Map<string, unknown> }).records.size;
    assert.equal(size, 10_000);
    assert.equal(subject.fail(LoginBrake.keys('10.0.0.0', null)).recentFailures, 1, 'the oldest key was dropped');
  });
});

describe('failed logins slow down across connections (auth.log records each wait)', () => {
  let server: TempServer;
  before(async () => {
    server = await startTempServer({ fileLogs: true, settings: { loginFailDelay: 5, maxLoginFailures: 2 } });
  });
  after(() => server.stop());

  async function failures(): Promise<{ remote: string; user?: string; recentFailures: number; delayMs: number }[]> {
    await new Promise<void>((resolve, reject) => server.server.context.logs.auth.flush((error) => (error ? reject(error) : resolve())));
    const text = await readFile(join(server.dataDir, 'logs', 'auth.log'), 'utf8').catch(() => '');
    return text.split('\n').filter((line) => line.includes('"login failed"')).map((line) => JSON.parse(line));
  }

  /** A connection from `localAddress` that fails `count` times against `user`. */
  async function fail(user: string, count: number, localAddress: string): Promise<void> {
    const client = await ControlClient.connect(server.port, { localAddress });
    await client.expectReply(220);
    for (let i = 0; i < count; i++) {
      await client.expect(`USER ${user}`, 331);
      const reply = await client.command('PASS wrong');
      assert.ok(reply.code === 530 || reply.code === 421, client.dump());
    }
    client.close();
  }

  test('three connections of two failures each: the count goes on rising, it does not start again per connection', async () => {
    for (let i = 0; i < 3; i++) await fail('nobody-here', 2, '127.0.0.1');
    const seen = (await failures()).filter((entry) => entry.remote === '127.0.0.1');
    assert.deepEqual(seen.map((entry) => entry.recentFailures), [1, 2, 3, 4, 5, 6]);
    for (const entry of seen) assert.ok(entry.delayMs >= 5 * entry.recentFailures, JSON.stringify(entry));
  });

  test('failures against one account from another address carry on its count; the right password clears the account and its address', async () => {
    await fail('alice', 2, '127.0.0.1');
    await fail('alice', 1, '127.0.0.2');
    const client = await ControlClient.connect(server.port, { localAddress: '127.0.0.2' });
    await client.expectReply(220);
    await client.login('alice', 'alice-pw');
    client.close();
    await fail('alice', 1, '127.0.0.2');
    const alice = (await failures()).filter((entry) => entry.user === 'alice');
    assert.deepEqual(alice.map((entry) => [entry.remote, entry.recentFailures]), [
      ['127.0.0.1', 7],
      ['127.0.0.1', 8],
      ['127.0.0.2', 3],
      ['127.0.0.2', 1],
    ]);
  });
});
