import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { act, startScriptedServer, type ScriptRule, type ScriptedServer } from '../../../fixtures/fake-servers/scripted-server.ts';
import { ControlConnection } from './control-connection.ts';
import { openDataChannel, type DataChannel, type DataMode } from './data-channel.ts';
import type { Outcome } from './outcome.ts';
import type { Reply } from './reply-parser.ts';
import { runTransfer } from './transfer.ts';

const servers: ScriptedServer[] = [];
const connections: ControlConnection[] = [];
after(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

const dataRules: ScriptRule[] = [
  { match: 'PASV', do: [act.pasv()] },
  { match: 'EPSV', do: [act.epsv()] },
  { match: 'PORT', do: [act.port()] },
  { match: 'EPRT', do: [act.port()] },
];

/** A scripted server, a connected control connection with the greeting read. */
async function session(rules: ScriptRule[]): Promise<{ server: ScriptedServer; control: ControlConnection }> {
  const server = await startScriptedServer({ rules: [...rules, ...dataRules] });
  servers.push(server);
  const control = await ControlConnection.connect({ host: server.host, port: server.port, timeoutMs: 2000 });
  connections.push(control);
  const greeting = await control.readReply();
  assert.equal(greeting.kind, 'reply');
  return { server, control };
}

async function open(control: ControlConnection, mode: DataMode, tls = false): Promise<{ channel: DataChannel; reply: Reply }> {
  const opened = await openDataChannel(control, mode, { timeoutMs: 2000, tls });
  if ('error' in opened) assert.fail(opened.error);
  return opened;
}

function code(outcome: Outcome | undefined): number | string | undefined {
  if (outcome === undefined) return undefined;
  return outcome.kind === 'reply' ? outcome.reply.code : outcome.kind;
}

describe('downloads', () => {
  for (const mode of ['pasv', 'epsv', 'port', 'eprt'] as const) {
    it(`${mode}: a download is byte-exact`, async () => {
      const payload = randomBytes(512 * 1024);
      const { control } = await session([
        { match: 'RETR', do: [act.reply('150 Opening BINARY mode data connection.'), act.dataSend(payload), act.reply('226 Transfer complete.')] },
      ]);
      const { channel, reply } = await open(control, mode);
      assert.equal(reply.code, mode === 'pasv' ? 227 : mode === 'epsv' ? 229 : 200);
      const result = await runTransfer(control, channel, 'RETR file.bin', { timeoutMs: 3000 });
      assert.equal(result.preliminary?.code, 150);
      assert.equal(code(result.final), 226);
      assert.equal(result.dataError, undefined);
      assert.ok(result.data?.equals(payload), 'payload differs');
    });
  }
});

describe('uploads', () => {
  for (const mode of ['port', 'pasv', 'eprt', 'epsv'] as const) {
    it(`${mode}: an upload is byte-exact`, async () => {
      const payload = randomBytes(300 * 1024);
      const { server, control } = await session([
        { match: 'STOR', do: [act.reply('150 Ok to send data.'), act.dataReceive(), act.reply('226 Transfer complete.')] },
      ]);
      const { channel } = await open(control, mode);
      const result = await runTransfer(control, channel, 'STOR up.bin', { upload: payload, timeoutMs: 3000 });
      assert.equal(code(result.final), 226);
      assert.equal(result.sent, payload.length);
      assert.equal(result.dataError, undefined);
      assert.ok(server.sessions[0]?.uploads[0]?.equals(payload), 'server received other bytes');
    });
  }

  it('an interrupted upload (stopAfter) sends only that many bytes, then resets', async () => {
    const payload = randomBytes(100_000);
    const { server, control } = await session([
      { match: 'STOR', do: [act.reply('150 Ok to send data.'), act.dataReceive(), act.reply('426 Connection closed; transfer aborted.')] },
    ]);
    const { channel } = await open(control, 'pasv');
    const result = await runTransfer(control, channel, 'STOR part.bin', { upload: payload, uploadStopAfter: 40_000, timeoutMs: 3000 });
    assert.equal(code(result.final), 426);
    assert.equal(result.sent, 40_000);
    const received = server.sessions[0]?.uploads[0];
    assert.ok(received?.equals(payload.subarray(0, 40_000)), `server got ${received?.length} bytes`);
  });

  it('a paced upload (uploadBytesPerSecond) arrives whole, spread over the time its rate gives', async () => {
    const payload = randomBytes(30_000);
    const { server, control } = await session([
      { match: 'STOR', do: [act.reply('150 Ok to send data.'), act.dataReceive(), act.reply('226 Transfer complete.')] },
    ]);
    const { channel } = await open(control, 'pasv');
    const started = Date.now();
    const result = await runTransfer(control, channel, 'STOR slow.bin', { upload: payload, uploadBytesPerSecond: 50_000, timeoutMs: 5000 });
    // 30 000 bytes at 50 000 per second in slices of 2 500: the last slice is due 0.55 s after the first.
    assert.ok(Date.now() - started >= 550, `sent in ${Date.now() - started} ms, faster than the rate allows`);
    assert.equal(code(result.final), 226);
    assert.equal(result.sent, payload.length);
    assert.ok(server.sessions[0]?.uploads[0]?.equals(payload), 'server received other bytes');
  });

  it('an upload the server refuses outright sends no byte', async () => {
    const { control } = await session([{ match: 'STOR', do: [act.reply('550 Permission denied.')] }]);
    const { channel } = await open(control, 'pasv');
    const result = await runTransfer(control, channel, 'STOR nope.bin', { upload: Buffer.from('data'), timeoutMs: 3000 });
    assert.equal(code(result.final), 550);
    assert.equal(result.preliminary, undefined);
    assert.equal(result.sent, 0);
    assert.match(result.dataError ?? '', /no preliminary reply/);
  });
});

describe('runTransfer: completion needs both the data and the final reply', () => {
  it('226 before the end of data: waits for the rest of the data', async () => {
    const first = randomBytes(20_000);
    const rest = randomBytes(20_000);
    const { control } = await session([
      {
        match: 'RETR',
        do: [act.reply('150 Here it comes.'), act.dataSend(first, { end: false }), act.reply('226 Done early.'), act.delay(150), act.dataSend(rest)],
      },
    ]);
    const { channel } = await open(control, 'pasv');
    const result = await runTransfer(control, channel, 'RETR f', { timeoutMs: 3000 });
    assert.equal(code(result.final), 226);
    assert.equal(result.order, 'final-first');
    assert.ok(result.data?.equals(Buffer.concat([first, rest])));
  });

  it('end of data before 226: waits for the reply', async () => {
    const payload = randomBytes(20_000);
    const { control } = await session([
      { match: 'RETR', do: [act.reply('150 Here it comes.'), act.dataSend(payload), act.delay(150), act.reply('226 Done late.')] },
    ]);
    const { channel } = await open(control, 'pasv');
    const result = await runTransfer(control, channel, 'RETR f', { timeoutMs: 3000 });
    assert.equal(code(result.final), 226);
    assert.equal(result.order, 'data-first');
    assert.ok(result.data?.equals(payload));
  });

  it('a refused download ends at once with the reply, without waiting out the data side', async () => {
    const { control } = await session([{ match: 'RETR', do: [act.reply('550 No such file.')] }]);
    const { channel } = await open(control, 'pasv');
    const started = Date.now();
    const result = await runTransfer(control, channel, 'RETR missing', { timeoutMs: 3000 });
    assert.equal(code(result.final), 550);
    assert.ok(result.dataError);
    assert.ok(Date.now() - started < 500, `took ${Date.now() - started} ms`);
  });

  it('a data connection reset mid-transfer is reported next to the 426', async () => {
    const { control } = await session([
      { match: 'RETR', do: [act.reply('150 Go.'), act.dataSend(randomBytes(1000), { end: false }), act.delay(20), act.dataReset(), act.reply('426 Aborted.')] },
    ]);
    const { channel } = await open(control, 'pasv');
    const result = await runTransfer(control, channel, 'RETR f', { timeoutMs: 3000 });
    assert.equal(code(result.final), 426);
    assert.match(result.dataError ?? '', /reset|closed before the end/);
  });

  it('a server that never answers the transfer ends in a timeout, within the bound', async () => {
    const { control } = await session([{ match: 'RETR', do: [act.hang()] }]);
    const { channel } = await open(control, 'port');
    const started = Date.now();
    const result = await runTransfer(control, channel, 'RETR f', { timeoutMs: 300 });
    assert.equal(result.final.kind, 'timeout');
    assert.match(result.dataError ?? '', /never connected|aborted/);
    assert.ok(Date.now() - started < 1500);
  });

  it('a control connection dropped during the transfer is a closed outcome', async () => {
    const { control } = await session([{ match: 'RETR', do: [act.reply('150 Go.'), act.close()] }]);
    const { channel } = await open(control, 'pasv');
    const result = await runTransfer(control, channel, 'RETR f', { timeoutMs: 3000 });
    assert.equal(result.final.kind, 'closed');
    assert.ok(result.dataError);
  });
});

describe('openDataChannel', () => {
  it('connects to the control peer whatever host the 227 names, records nothing at the named host, and notes it', async () => {
    const payload = Buffer.from('from the control peer');
    // A listener at the host the 227 names records any connection; the real data
    // listener waits on the control peer (127.0.0.1) at the same port.
    const elsewhere: string[] = [];
    const recorder = net.createServer((socket) => {
      elsewhere.push(`${socket.remoteAddress}`);
      socket.destroy();
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.2', resolve));
    const port = (recorder.address() as net.AddressInfo).port;
    const data = net.createServer((socket) => socket.end(payload));
    await new Promise<void>((resolve) => data.listen(port, '127.0.0.1', resolve));
    try {
      const { control } = await session([
        { match: 'PASV', do: [act.reply(`227 Entering Passive Mode (127,0,0,2,${Math.floor(port / 256)},${port % 256}).`)] },
        { match: 'RETR', do: [act.reply('150 Go.'), act.delay(100), act.reply('226 Done.')] },
      ]);
      const { channel } = await open(control, 'pasv');
      const result = await runTransfer(control, channel, 'RETR f', { timeoutMs: 3000 });
      assert.ok(result.data?.equals(payload), result.dataError);
      assert.deepEqual(elsewhere, [], 'ftp-check connected to the host the 227 named');
      assert.match(control.transcript.toText(), /PASV named 127\.0\.0\.2, not the control connection's peer 127\.0\.0\.1: connecting to 127\.0\.0\.1 instead/);
    } finally {
      await new Promise<void>((resolve) => recorder.close(() => resolve()));
      await new Promise<void>((resolve) => data.close(() => resolve()));
    }
  });

  it("passiveHost 'as-told' follows the 227", async () => {
    const payload = Buffer.from('from elsewhere');
    const { control } = await session([
      { match: 'PASV', do: [act.pasv({ bindHost: '127.0.0.2' })] },
      { match: 'RETR', do: [act.reply('150 Go.'), act.dataSend(payload), act.reply('226 Done.')] },
    ]);
    const opened = await openDataChannel(control, 'pasv', { timeoutMs: 2000, passiveHost: 'as-told' });
    if ('error' in opened) assert.fail(opened.error);
    const result = await runTransfer(control, opened.channel, 'RETR f', { timeoutMs: 3000 });
    assert.ok(result.data?.equals(payload));
  });

  it('announces no address in PORT/EPRT other than its own or a loopback one', async () => {
    const { control } = await session([]);
    const opened = await openDataChannel(control, 'eprt', { timeoutMs: 1000, activeHost: '192.0.2.7' });
    assert.ok('error' in opened);
    assert.match(opened.error, /refusing to announce 192\.0\.2\.7/);
    assert.ok(!control.transcript.toText().includes('EPRT'), 'no EPRT was sent');
  });

  it('reports a refused PASV with its outcome', async () => {
    const { control } = await session([{ match: 'PASV', do: [act.reply('500 PASV not understood.')] }]);
    const opened = await openDataChannel(control, 'pasv', { timeoutMs: 1000 });
    assert.ok('error' in opened);
    assert.equal(code(opened.outcome), 500);
  });

  it('reports a 227 without an address', async () => {
    const { control } = await session([{ match: 'PASV', do: [act.reply('227 Entering Passive Mode.')] }]);
    const opened = await openDataChannel(control, 'pasv', { timeoutMs: 1000 });
    assert.ok('error' in opened);
    assert.match(opened.error, /cannot read an address/);
  });

  it('reports a refused PORT and stops listening', async () => {
    const { control } = await session([{ match: 'PORT', do: [act.reply('500 Illegal PORT command.')] }]);
    const opened = await openDataChannel(control, 'port', { timeoutMs: 1000 });
    assert.ok('error' in opened);
    assert.equal(code(opened.outcome), 500);
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(control.transcript.toText())?.[1]);
    assert.ok(port > 0);
    const refused = await new Promise<string>((resolve) => {
      const probe = net.connect({ host: '127.0.0.1', port }, () => {
        probe.destroy();
        resolve('connected');
      });
      probe.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    assert.equal(refused, 'ECONNREFUSED');
  });

  it('refuses a TLS data channel without TLS on the control connection', async () => {
    const { control } = await session([]);
    const opened = await openDataChannel(control, 'pasv', { timeoutMs: 1000, tls: true });
    assert.ok('error' in opened);
    assert.match(opened.error, /needs TLS on the control connection/);
  });

  it('close() and abort() are idempotent', async () => {
    const { control } = await session([]);
    const { channel } = await open(control, 'port');
    channel.abort();
    channel.abort();
    await channel.close();
    await channel.close();
    const received = await channel.receiveAll(100);
    assert.ok('error' in received);
  });
});

describe('TLS data connections (RFC 4217 §9)', () => {
  for (const mode of ['pasv', 'port'] as const) {
    it(`${mode}: a protected download and upload are byte-exact`, async () => {
      const down = randomBytes(64 * 1024);
      const up = randomBytes(64 * 1024);
      const { server, control } = await session([
        { match: 'AUTH TLS', do: [act.reply('234 Proceed.'), act.startTls()] },
        { match: 'PROT', do: [act.reply('200 PROT now Private.'), act.protectData()] },
        { match: 'RETR', do: [act.reply('150 Go.'), act.dataSend(down), act.reply('226 Done.')] },
        { match: 'STOR', do: [act.reply('150 Go.'), act.dataReceive(), act.reply('226 Done.')] },
      ]);
      assert.equal(code(await control.command('AUTH TLS')), 234);
      await control.upgradeToTls();
      assert.equal(code(await control.command('PROT P')), 200);

      const first = await open(control, mode, true);
      const download = await runTransfer(control, first.channel, 'RETR f', { timeoutMs: 3000 });
      assert.equal(code(download.final), 226);
      assert.ok(download.data?.equals(down), download.dataError);

      const second = await open(control, mode, true);
      const upload = await runTransfer(control, second.channel, 'STOR g', { upload: up, timeoutMs: 3000 });
      assert.equal(code(upload.final), 226, upload.dataError);
      assert.ok(server.sessions[0]?.uploads[0]?.equals(up));
      assert.match(control.transcript.toText(), /TLS on the data connection/);
    });
  }

  it("tlsStart 'after-preliminary' begins TLS on the 1xx reply, as lftp does", async () => {
    const down = randomBytes(16 * 1024);
    const { control } = await session([
      { match: 'AUTH TLS', do: [act.reply('234 Proceed.'), act.startTls()] },
      { match: 'PROT', do: [act.reply('200 PROT now Private.'), act.protectData()] },
      { match: 'RETR', do: [act.delay(200), act.reply('150 Go.'), act.dataSend(down), act.reply('226 Done.')] },
    ]);
    assert.equal(code(await control.command('AUTH TLS')), 234);
    await control.upgradeToTls();
    assert.equal(code(await control.command('PROT P')), 200);
    const opened = await openDataChannel(control, 'pasv', { timeoutMs: 2000, tls: true, tlsStart: 'after-preliminary' });
    if ('error' in opened) assert.fail(opened.error);
    const download = await runTransfer(control, opened.channel, 'RETR f', { timeoutMs: 3000 });
    assert.ok(download.data?.equals(down), download.dataError);
    const text = control.transcript.toText();
    assert.ok(text.indexOf('< 150 Go.') < text.indexOf('TLS handshake begun'), `TLS began before the 150:\n${text}`);
  });
});
