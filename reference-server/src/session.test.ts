/**
 * One control connection, raw: precondition order, pipelining, hostile bytes,
 * logins. protocol.md and style.md habit 2 are the sources.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer, type TempServer } from './temp-server.ts';
import { ControlClient, delay } from '../test/control-client.ts';
import { COMMANDS } from './protocol/command-table.ts';
import type { CommandSpec } from './protocol/command-spec.ts';

const ALICE = { user: 'alice', password: 'alice-pw' };

/** protocol.md: "Every command but USER, PASS, AUTH, PBSZ, PROT, FEAT, SYST, HELP, NOOP, QUIT, OPTS and SITE REGISTER answers 530 before login." */
const ALLOWED_BEFORE_LOGIN = new Set(['USER', 'PASS', 'AUTH', 'PBSZ', 'PROT', 'FEAT', 'SYST', 'HELP', 'NOOP', 'QUIT', 'OPTS', 'SITE']);

/** A well-formed command line for `verb`, so that only the login check can refuse it. */
function wellFormed(verb: string, spec: CommandSpec): string {
  return spec.argument === 'required' ? `${verb} x` : verb;
}

let server: TempServer;
const clients: ControlClient[] = [];

async function open(login?: { user: string; password: string }): Promise<ControlClient> {
  const client = await ControlClient.open(server.port, login);
  clients.push(client);
  return client;
}

before(async () => {
  server = await startTempServer({ settings: { registration: true } });
});

after(async () => {
  for (const client of clients) client.close();
  await server.stop();
});

describe('preconditions, in their fixed order (style.md habit 2)', () => {
  it('500 for an unknown verb, whatever its argument and login state', async () => {
    const client = await open();
    for (const line of ['XYZZY', 'XYZZY a b c', 'RETRX file', 'NOOPNOOP', 'SITEX HELP']) {
      const reply = await client.command(line);
      assert.equal(reply.code, 500, `${line}: ${reply.text}`);
    }
    await client.login(ALICE.user, ALICE.password);
    assert.equal((await client.command('XYZZY')).code, 500);
  });

  it('an echoed unknown verb carries no control bytes', async () => {
    const client = await open();
    const reply = await client.command('\x1b[31mEVIL\x1b[0m');
    assert.equal(reply.code, 500);
    assert.ok(!/[\x00-\x1f\x7f]/.test(reply.lines.join('')), JSON.stringify(reply.lines));
  });

  it('501 for a missing or an extra argument, before the login check (530)', async () => {
    const client = await open();
    let checked = 0;
    for (const [verb, spec] of Object.entries(COMMANDS)) {
      if (!spec.handler || spec.argument === 'optional') continue;
      const line = spec.argument === 'required' ? verb : `${verb} extra`;
      const reply = await client.command(line);
      assert.equal(reply.code, 501, `${line} -> ${reply.code} ${reply.text}`);
      checked++;
    }
    assert.ok(checked > 30, `checked ${checked} verbs`);
    assert.equal((await client.command('RETR   ')).code, 501, 'blank argument counts as missing');
  });

  it('502 for every listed verb that is not implemented, never 500', async () => {
    const client = await open();
    const unimplemented = Object.entries(COMMANDS).filter(([, spec]) => !spec.handler);
    assert.ok(unimplemented.length > 0);
    for (const [verb, spec] of unimplemented) {
      const reply = await client.command(wellFormed(verb, spec));
      assert.equal(reply.code, 502, `${verb} -> ${reply.code} ${reply.text}`);
    }
  });

  it('530 before login for every login-requiring verb in the command table', async () => {
    const client = await open();
    const needLogin = Object.entries(COMMANDS).filter(([, spec]) => spec.login && spec.handler);
    assert.ok(needLogin.length > 30);
    for (const [verb, spec] of needLogin) {
      const reply = await client.command(wellFormed(verb, spec));
      assert.equal(reply.code, 530, `${verb} -> ${reply.code} ${reply.text}`);
    }
    for (const line of ['SITE QUOTA', 'SITE CPFR a', 'SITE CPTO b', 'SITE USERS', 'SITE ADDUSER x y', 'SITE DELUSER x', 'SITE SETQUOTA x 1', 'AVBL', 'STAT /']) {
      const reply = await client.command(line);
      assert.equal(reply.code, 530, `${line} -> ${reply.code} ${reply.text}`);
    }
    assert.equal((await client.command('NOOP')).code, 200, 'the session survives');
  });

  it('only the verbs protocol.md names work before login', async () => {
    const open_ = Object.entries(COMMANDS)
      .filter(([, spec]) => spec.handler && !spec.login)
      .map(([verb]) => verb);
    assert.deepEqual(open_.filter((verb) => !ALLOWED_BEFORE_LOGIN.has(verb)), [], 'verbs usable before login that protocol.md does not allow');
    const client = await open();
    for (const line of ['STAT', 'REIN']) {
      const reply = await client.command(line);
      assert.equal(reply.code, 530, `${line} -> ${reply.code} ${reply.text}`);
    }
    assert.equal((await client.command('SITE HELP')).code, 214, 'SITE HELP is for anyone');
  });

  it('550 for every writing verb of an anonymous session, and nothing lands in public/', async () => {
    const client = await open({ user: 'anonymous', password: 'guest@example.com' });
    const writers = Object.entries(COMMANDS).filter(([, spec]) => spec.writes && spec.handler);
    assert.ok(writers.length >= 10);
    for (const [verb, spec] of writers) {
      const reply = await client.command(spec.argument === 'forbidden' ? verb : `${verb} anon-${verb.toLowerCase()}`);
      assert.equal(reply.code, 550, `${verb} -> ${reply.code} ${reply.text}`);
    }
    assert.equal((await client.command('SITE CPFR x')).code, 550);
    assert.equal((await client.command('SITE CPTO anon-copy')).code, 550);
    assert.deepEqual((await readdir(join(server.dataDir, 'public'))).filter((name) => name.startsWith('anon-')), []);
  });

  it('503 for RNTO without RNFR, and when anything comes between them', async () => {
    const client = await open(ALICE);
    assert.equal((await client.command('RNTO b')).code, 503);
    await client.stor('rn-a.txt', Buffer.from('x'));
    await client.expect('RNFR rn-a.txt', 350);
    await client.expect('NOOP', 200);
    assert.equal((await client.command('RNTO rn-b.txt')).code, 503);
    await client.expect('RNFR rn-a.txt', 350);
    await client.expect('RNTO rn-b.txt', 250);
    assert.equal((await stat(join(server.dataDir, 'storage', 'alice', 'rn-b.txt'))).size, 1);
  });

  it('503 for PASS without USER, also right after a failed login', async () => {
    const client = await open();
    assert.equal((await client.command('PASS alice-pw')).code, 503);
    await client.expect('USER alice', 331);
    await client.expect('PASS wrong', 530);
    assert.equal((await client.command('PASS alice-pw')).code, 503);
  });

  it('503 for SITE CPTO without SITE CPFR', async () => {
    const client = await open(ALICE);
    assert.equal((await client.command('SITE CPTO x')).code, 503);
  });
});

describe('the control channel under stress', () => {
  it('pipelined commands in one packet are answered in order', async () => {
    const client = await open(ALICE);
    client.write('NOOP\r\nMKD pipe\r\nCWD pipe\r\nPWD\r\nCDUP\r\nSYST\r\nRMD pipe\r\nPWD\r\n');
    const replies = [];
    for (let i = 0; i < 8; i++) replies.push(await client.read());
    assert.deepEqual(
      replies.map((reply) => reply.code),
      [200, 257, 250, 257, 250, 215, 250, 257],
      client.dump(),
    );
    assert.match(replies[3]?.text ?? '', /^"\/pipe"/);
    assert.match(replies[7]?.text ?? '', /^"\/"/);
  });

  it('a 100 KB line is answered 500 once and the session still works', async () => {
    const client = await open(ALICE);
    client.write(`NOOP ${'A'.repeat(100 * 1024)}\r\n`);
    client.send('PWD');
    const first = await client.read();
    assert.equal(first.code, 500, first.text);
    assert.match(first.text, /too long/i);
    assert.equal((await client.read()).code, 257, 'the next command is answered, nothing in between');
    assert.equal((await client.command('NOOP')).code, 200);
  });

  it('binary garbage gets well-formed replies and the session still works', async () => {
    const client = await open(ALICE);
    let seed = 42;
    const garbage = Buffer.from(Array.from({ length: 4096 }, () => (seed = (seed * 48271) % 2147483647) & 0xff));
    client.write(garbage);
    // Up to two bytes may still belong to a Telnet sequence the garbage opened.
    client.write('\r\n\r\n\r\nHELP NOOP\r\n');
    for (;;) {
      const reply = await client.read();
      if (reply.code === 214) break;
      assert.ok([500, 501, 502, 503].includes(reply.code), `unexpected ${reply.code} ${reply.text}`);
      for (const line of reply.lines) assert.ok(!/[\x00-\x1f\x7f]/.test(line), JSON.stringify(line));
    }
    assert.equal((await client.command('PWD')).code, 257);
    assert.ok(!client.isClosed);
  });

  it('Telnet IAC sequences inside commands are removed', async () => {
    const client = await open();
    client.write(Buffer.concat([Buffer.from('NO'), Buffer.from([0xff, 244]), Buffer.from('OP'), Buffer.from([0xff, 242]), Buffer.from('\r\n')]));
    assert.equal((await client.read()).code, 200);
    client.write(Buffer.concat([Buffer.from('SY'), Buffer.from([0xff, 251, 1]), Buffer.from('ST\r\n')]));
    assert.equal((await client.read()).code, 215);
    client.write(Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.from('NOOP\r\n')]));
    assert.equal((await client.read()).code, 500, 'IAC IAC is a data byte 0xFF, so the verb is not NOOP');
  });

  it('NUL, CR or other control bytes inside a command are 501, and nothing happens', async () => {
    const client = await open(ALICE);
    for (const line of ['MKD ctl\0evil', 'MKD ctl\rDELE x', 'MKD ctl\x1bx', 'DELE \0']) {
      const reply = await client.command(line);
      assert.equal(reply.code, 501, `${JSON.stringify(line)} -> ${reply.code}`);
    }
    const home = await readdir(join(server.dataDir, 'storage', 'alice'));
    assert.deepEqual(home.filter((name) => name.startsWith('ctl')), []);
  });

  it('a flood of pipelined commands is answered, in order, without loss', async () => {
    const client = await open(ALICE);
    client.write('NOOP\r\n'.repeat(100) + 'PWD\r\n');
    for (let i = 0; i < 100; i++) assert.equal((await client.read()).code, 200);
    assert.equal((await client.read()).code, 257);
  });
});

describe('logins', () => {
  it('the same replies for an unknown user and a wrong password', async () => {
    const unknown = await open();
    const user1 = await unknown.command('USER nobody-here');
    const pass1 = await unknown.command('PASS whatever');
    const known = await open();
    const user2 = await known.command('USER alice');
    const pass2 = await known.command('PASS wrong-password');
    assert.deepEqual([user1.code, pass1.code], [331, 530]);
    assert.deepEqual(user1.lines, user2.lines);
    assert.deepEqual(pass1.lines, pass2.lines);
  });

  it('too many failed logins: 421 and the connection closes', async () => {
    const client = await open();
    const max = server.settings.maxLoginFailures;
    for (let i = 1; i < max; i++) {
      await client.expect('USER alice', 331);
      await client.expect('PASS nope', 530);
    }
    await client.expect('USER alice', 331);
    await client.expect('PASS nope', 421);
    await client.waitClosed();
  });

  it('a new USER ends the previous login', async () => {
    const client = await open(ALICE);
    await client.expect('USER bob', 331);
    assert.equal((await client.command('PWD')).code, 530);
    await client.expect('PASS bob-pw', 230);
    await client.expect('PWD', 257);
  });
});

describe('secrets never reach the log files', () => {
  const secrets = ['alice-pw', 'Wrong-Secret-1', 'carol-Secret-2', 'dave-Secret-3', 'anon-mail@example.org'];

  it('PASS, SITE REGISTER and SITE ADDUSER passwords are masked in every log', async () => {
    const logged = await startTempServer({ fileLogs: true, settings: { registration: true, logLevel: 'debug' } });
    try {
      const client = await ControlClient.open(logged.port);
      await client.expect('USER alice', 331);
      await client.expect('PASS Wrong-Secret-1', 530);
      await client.login('alice', 'alice-pw');
      await client.expect('SITE REGISTER carol carol-Secret-2', 200);
      await client.expect('SITE REGISTER  carol2 carol-Secret-2', 501);
      await client.login('admin', 'admin-pw');
      await client.expect('SITE ADDUSER dave dave-Secret-3 1000', 200);
      await client.expect('QUIT', 221);
      const anonymous = await ControlClient.open(logged.port, { user: 'anonymous', password: 'anon-mail@example.org' });
      await anonymous.expect('QUIT', 221);
      await delay(100);
    } finally {
      await logged.stop({ keepData: true });
    }
    try {
      const folder = join(logged.dataDir, 'logs');
      const files = await readdir(folder);
      assert.ok(files.includes('auth.log') && files.includes('connections.log'), files.join(','));
      let all = '';
      for (const file of files) all += await readFile(join(folder, file), 'utf8');
      assert.match(all, /"login"/, 'the logs were written (a login record)');
      assert.match(all, /PASS \*\*\*/, 'the masked PASS command was logged');
      assert.match(all, /REGISTER carol \*\*\*/);
      for (const secret of secrets) assert.ok(!all.toLowerCase().includes(secret.toLowerCase()), `"${secret}" found in the logs`);
    } finally {
      await import('node:fs/promises').then(({ rm }) => rm(logged.dataDir, { recursive: true, force: true }));
    }
  });
});
