import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { act, startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from '../../../fixtures/fake-servers/scripted-server.ts';
import { ConnectError, ControlConnection } from './control-connection.ts';
import type { Outcome } from './outcome.ts';

const servers: ScriptedServer[] = [];
const connections: ControlConnection[] = [];
after(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const server = await startScriptedServer(options);
  servers.push(server);
  return server;
}

async function connect(server: ScriptedServer, extra: Partial<Parameters<typeof ControlConnection.connect>[0]> = {}): Promise<ControlConnection> {
  const connection = await ControlConnection.connect({ host: server.host, port: server.port, timeoutMs: 2000, ...extra });
  connections.push(connection);
  return connection;
}

function code(outcome: Outcome): number | string {
  return outcome.kind === 'reply' ? outcome.reply.code : outcome.kind;
}

describe('ControlConnection: replies', () => {
  it('reads a multi-line greeting, then answers a command', async () => {
    const server = await serve({
      greeting: [act.reply('220-Welcome to the test server', '220-It has two lines of banner', '220 Ready.')],
      rules: [{ match: 'USER', do: [act.reply('331 Password required.')] }],
    });
    const c = await connect(server);
    const greeting = await c.readReply();
    assert.equal(greeting.kind, 'reply');
    if (greeting.kind !== 'reply') return;
    assert.equal(greeting.reply.code, 220);
    assert.equal(greeting.reply.lines.length, 3);
    assert.equal(greeting.reply.message, 'Welcome to the test server\nIt has two lines of banner\nReady.');
    assert.equal(code(await c.command('USER bob')), 331);
    assert.equal(c.remoteAddress, '127.0.0.1');
    assert.equal(c.localAddress, '127.0.0.1');
    assert.match(c.transcript.toText(), /control < 220-Welcome/);
    assert.match(c.transcript.toText(), /control > USER bob/);
  });

  it('returns replies that arrived together one by one, in order', async () => {
    const server = await serve({
      greeting: [act.raw('220 a\r\n421 b\r\n'), act.delay(20), act.raw('200 c\r\n')],
    });
    const c = await connect(server);
    assert.equal(code(await c.readReply()), 220);
    assert.equal(code(await c.readReply()), 421);
    assert.equal(code(await c.readReply()), 200);
  });

  it('assembles a reply that arrives one byte at a time, bare LF included', async () => {
    const text = '211-Features:\r\n EPSV\n211 End\r\n';
    const server = await serve({
      greeting: [...Array.from(text).flatMap((ch) => [act.raw(ch), act.delay(1)])],
    });
    const c = await connect(server);
    const outcome = await c.readReply();
    assert.equal(outcome.kind, 'reply');
    if (outcome.kind === 'reply') {
      assert.deepEqual(outcome.reply.lines, ['211-Features:', ' EPSV', '211 End']);
      assert.equal(outcome.reply.raw, text);
    }
  });

  it('reports a line without a code as a code-0 reply', async () => {
    const server = await serve({ greeting: [act.raw('SSH-2.0-OpenSSH_9.6\r\n')] });
    const c = await connect(server);
    const outcome = await c.readReply();
    assert.equal(code(outcome), 0);
  });

  it('refuses a second read while one is in flight (one task at a time)', async () => {
    const server = await serve({ greeting: [act.hang()] });
    const c = await connect(server);
    const first = c.readReply(200);
    await assert.rejects(c.readReply(200), /already in flight/);
    assert.equal((await first).kind, 'timeout');
  });
});

describe('ControlConnection: misbehaving servers are outcomes', () => {
  it('a server that hangs gives a timeout outcome, and the connection stays usable', async () => {
    const server = await serve({
      rules: [
        { match: 'NOOP', do: [act.hang()] },
      ],
    });
    const c = await connect(server);
    assert.equal(code(await c.readReply()), 220);
    const started = Date.now();
    const outcome = await c.command('NOOP', 150);
    assert.deepEqual(outcome, { kind: 'timeout', afterMs: 150 });
    assert.ok(Date.now() - started < 1000);
    assert.equal(c.isClosed(), false);
    assert.match(c.transcript.toText(), /no reply within 150 ms/);
  });

  it('a timeout notes the half line that did arrive', async () => {
    const server = await serve({ greeting: [act.raw('220-Hello\r\n220 Wel'), act.hang()] });
    const c = await connect(server);
    assert.equal((await c.readReply(100)).kind, 'timeout');
    assert.match(c.transcript.toText(), /pending: 1 lines of an unfinished multi-line reply; 7 bytes of an unterminated line: "220 Wel"/);
  });

  it('a server that never greets gives a timeout outcome', async () => {
    const server = await serve({ greeting: [act.hang()] });
    const c = await connect(server);
    assert.deepEqual(await c.readReply(100), { kind: 'timeout', afterMs: 100 });
  });

  it('a server that drops the connection gives a closed outcome, after its last reply', async () => {
    const server = await serve({ rules: [{ match: 'STAT', do: [act.reply('421 Too many users, bye.'), act.close()] }] });
    const c = await connect(server);
    await c.readReply();
    assert.equal(code(await c.command('STAT')), 421);
    const closed = await c.readReply();
    assert.equal(closed.kind, 'closed');
    if (closed.kind === 'closed') assert.match(closed.reason, /peer closed/);
    assert.equal(c.isClosed(), true);
    // reads and writes after the close stay outcomes, never exceptions
    assert.equal((await c.readReply()).kind, 'closed');
    await c.sendLine('NOOP');
    assert.equal((await c.command('NOOP')).kind, 'closed');
    assert.match(c.transcript.toText(), /not sent/);
  });

  it('a server that resets the connection gives a closed outcome with the reason', async () => {
    const server = await serve({ rules: [{ match: 'NOOP', do: [act.reset()] }] });
    const c = await connect(server);
    await c.readReply();
    const outcome = await c.command('NOOP');
    assert.equal(outcome.kind, 'closed');
    if (outcome.kind === 'closed') assert.match(outcome.reason, /reset/);
  });

  it('a reply cut off by the close is reported in the reason, not invented', async () => {
    const server = await serve({ rules: [{ match: 'QUIT', do: [act.raw('221 Bye'), act.close()] }] });
    const c = await connect(server);
    await c.readReply();
    const outcome = await c.command('QUIT');
    assert.equal(outcome.kind, 'closed');
    if (outcome.kind === 'closed') assert.match(outcome.reason, /7 bytes of an unterminated line/);
    assert.match(c.transcript.toText(), /control < 221 Bye$/m);
  });

  it('an endless line is cut at the bound and reported as a malformed, closed outcome', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const server = await serve({
      greeting: [act.raw('220 '), ...Array.from({ length: 40 }, () => act.raw(chunk))],
    });
    const c = await connect(server);
    const outcome = await c.readReply();
    assert.equal(outcome.kind, 'closed');
    if (outcome.kind === 'closed') assert.match(outcome.reason, /malformed reply: more than 1048576 bytes/);
  });

  it('an endless multi-line reply is cut at the bound too', async () => {
    const server = await serve({
      greeting: [act.raw('211-start\r\n'), ...Array.from({ length: 200 }, () => act.raw(' filler line\r\n'.repeat(100)))],
    });
    const c = await connect(server, { maxPendingBytes: 64 * 1024 });
    const outcome = await c.readReply();
    assert.equal(outcome.kind, 'closed');
    if (outcome.kind === 'closed') assert.match(outcome.reason, /more than 65536 bytes/);
  });

  it('a flood of replies is throttled, not dropped', async () => {
    const server = await serve({ greeting: [act.raw('200 ok\r\n'.repeat(500))] });
    const c = await connect(server, { maxQueuedReplies: 10 });
    for (let i = 0; i < 500; i += 1) assert.equal(code(await c.readReply(1000)), 200, `reply ${i}`);
  });

  it('waitForClose: closed when the peer closes, reply when one comes first, timeout otherwise', async () => {
    const server = await serve({
      rules: [
        { match: 'QUIT', do: [act.reply('221 Bye.'), act.delay(30), act.close()] },
        { match: 'NOOP', do: [act.hang()] },
      ],
    });
    const c1 = await connect(server);
    await c1.readReply();
    await c1.sendLine('QUIT');
    assert.equal(code(await c1.waitForClose(1000)), 221);
    assert.equal((await c1.waitForClose(1000)).kind, 'closed');

    const c2 = await connect(server);
    await c2.readReply();
    await c2.sendLine('NOOP');
    assert.deepEqual(await c2.waitForClose(100), { kind: 'timeout', afterMs: 100 });
  });
});

describe('ControlConnection: sends exactly the bytes asked', () => {
  it('NUL, Telnet IAC, bare LF, a lone CR and a 100 KB line arrive byte for byte', async () => {
    const server = await serve({ unmatched: [act.reply('500 What?')] });
    const c = await connect(server);
    await c.readReply();
    const big = 'STOR ' + 'x'.repeat(100 * 1024);
    const iac = Buffer.from([0xff, 0xf4, 0xff, 0xf2]); // IAC IP IAC DM, as before ABOR (RFC 959 §4.1.3)
    await c.sendRaw(Buffer.from('NO\u0000OP\r\n', 'latin1'));
    await c.sendRaw(Buffer.concat([iac, Buffer.from('ABOR\r\n')]));
    await c.sendRaw('NOOP\n');
    await c.sendRaw('NO\rOP\r\n');
    await c.sendLine(big);
    for (let i = 0; i < 5; i += 1) assert.equal(code(await c.readReply()), 500);
    const expected = Buffer.concat([
      Buffer.from('NO\u0000OP\r\n', 'latin1'),
      iac,
      Buffer.from('ABOR\r\nNOOP\nNO\rOP\r\n'),
      Buffer.from(big + '\r\n'),
    ]);
    const session = server.sessions[0];
    assert.ok(session);
    assert.ok(session.rawReceived().equals(expected));
    const text = c.transcript.toText();
    assert.match(text, /NO\\x00OP/);
    assert.match(text, /\\xff\\xf4\\xff\\xf2ABOR/);
    assert.match(text, /truncated: 102405 chars in all/);
  });

  it('masks the password in the transcript while sending it unchanged', async () => {
    const server = await serve({ rules: [{ match: 'PASS', do: [act.reply('230 Welcome.')] }] });
    const c = await connect(server);
    await c.readReply();
    assert.equal(code(await c.command('PASS hunter22')), 230);
    assert.deepEqual(server.sessions[0]?.lines, ['PASS hunter22']);
    assert.ok(!c.transcript.toText().includes('hunter22'));
  });
});

describe('ControlConnection: connecting and closing', () => {
  it('a refused connection rejects with ConnectError("refused")', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await assert.rejects(ControlConnection.connect({ host: '127.0.0.1', port, timeoutMs: 1000 }), (err: unknown) => {
      assert.ok(err instanceof ConnectError);
      assert.equal(err.reason, 'refused');
      return true;
    });
  });

  it('close() is idempotent, sends no QUIT, and ends a pending read as closed', async () => {
    const server = await serve({ greeting: [act.hang()] });
    const c = await connect(server);
    const pending = c.readReply(5000);
    await Promise.all([c.close(), c.close()]);
    await c.close();
    const outcome = await pending;
    assert.deepEqual(outcome, { kind: 'closed', reason: 'closed by the harness' });
    const session = server.sessions[0];
    assert.ok(session);
    assert.equal(await session.waitForClose(1000), true);
    assert.deepEqual(session.lines, []);
  });
});

describe('ControlConnection: TLS (RFC 4217)', () => {
  it('upgrades after 234, talks over TLS, and offers its session to data channels', async () => {
    const server = await serve({
      rules: [
        { match: 'AUTH TLS', do: [act.reply('234 Proceed with negotiation.'), act.startTls()] },
        { match: 'PBSZ', do: [act.reply('200 PBSZ=0')] },
      ],
    });
    const c = await connect(server);
    await c.readReply();
    assert.equal(code(await c.command('AUTH TLS')), 234);
    assert.equal(c.tlsSessionForData(), undefined);
    await c.upgradeToTls();
    assert.equal(c.isTls(), true);
    assert.equal(code(await c.command('PBSZ 0')), 200);
    assert.deepEqual(server.sessions[0]?.lines, ['AUTH TLS', 'PBSZ 0']);
    const reuse = c.tlsSessionForData();
    assert.ok(reuse);
    assert.equal(reuse.rejectUnauthorized, false);
    assert.match(c.transcript.toText(), /TLS established/);
  });

  it('a server that answers 234 but speaks no TLS fails the upgrade with ConnectError("tls")', async () => {
    const server = await serve({
      rules: [{ match: 'AUTH TLS', do: [act.reply('234 Sure.'), act.delay(20), act.raw('200 not TLS at all\r\n'), act.close()] }],
    });
    const c = await connect(server);
    await c.readReply();
    await c.command('AUTH TLS');
    await assert.rejects(c.upgradeToTls({ timeoutMs: 2000 }), (err: unknown) => {
      assert.ok(err instanceof ConnectError);
      assert.equal(err.reason, 'tls');
      return true;
    });
    assert.equal(c.isClosed(), true);
    assert.equal((await c.readReply()).kind, 'closed');
  });

  it('replies sent in plaintext before the handshake are discarded and noted', async () => {
    const server = await serve({
      rules: [{ match: 'AUTH TLS', do: [act.reply('234 Go.', '200 injected'), act.startTls()] }],
    });
    const c = await connect(server);
    await c.readReply();
    await c.command('AUTH TLS');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await c.upgradeToTls();
    assert.match(c.transcript.toText(), /discarding 1 replies/);
    assert.equal(c.queuedReplies(), 0);
  });
});
