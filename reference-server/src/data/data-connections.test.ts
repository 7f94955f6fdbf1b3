/**
 * Data connections over the wire: passive ports expire, only the control
 * connection's host may use them (RFC 2577 §8, port stealing), and active
 * connections go only to the client's own address and never to a privileged
 * port (RFC 2577 §3, the FTP bounce attack).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTempServer, type TempServer } from '../temp-server.ts';
import { ControlClient, collect, connectData, delay, listenActive, portArgument, withTimeout } from '../../test/control-client.ts';

let server: TempServer;
const clients: ControlClient[] = [];
const CONTENT = Buffer.from('hello over the data connection\n'.repeat(100));

async function alice(): Promise<ControlClient> {
  const client = await ControlClient.open(server.port, { user: 'alice', password: 'alice-pw' });
  clients.push(client);
  await client.expect('TYPE I', 200);
  return client;
}

before(async () => {
  server = await startTempServer({ settings: { dataTimeout: 2 } });
  await mkdir(join(server.dataDir, 'storage', 'alice'), { recursive: true });
  await writeFile(join(server.dataDir, 'storage', 'alice', 'file.txt'), CONTENT);
});

after(async () => {
  for (const client of clients) client.close();
  await server.stop();
});

/** `connected`, or the error code of a connect attempt to a local port. */
async function connectOutcome(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  try {
    const outcome = new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    return await withTimeout(outcome, 2000, 'connect outcome');
  } finally {
    socket.destroy();
  }
}

describe('passive mode', () => {
  it('a passive port nobody connects to is closed after dataTimeout; the session goes on', async () => {
    const client = await alice();
    const port = await client.pasv();
    await delay(2500);
    assert.equal(await connectOutcome(port), 'ECONNREFUSED');
    await client.expect('NOOP', 200);
    const reply = await client.command('RETR file.txt');
    assert.equal(reply.code, 425, reply.text);
    assert.deepEqual(await client.retr('file.txt'), CONTENT, 'a fresh PASV works');
  });

  it('a new PASV closes the previous passive port', async () => {
    const client = await alice();
    const first = await client.pasv();
    await client.pasv();
    assert.equal(await connectOutcome(first), 'ECONNREFUSED');
  });

  it('a data connection from a foreign address is refused; the right client still gets the file', async () => {
    const client = await alice();
    const port = await client.pasv();
    client.send('RETR file.txt');
    const foreign = await connectData(port, '127.0.0.2');
    const stolen = await withTimeout(collect(foreign).catch(() => Buffer.alloc(0)), 3000, 'the foreign connection is closed');
    assert.equal(stolen.length, 0, 'not one byte to the foreign address');
    const data = await connectData(port);
    const body = collect(data);
    await client.expectReply(150);
    assert.deepEqual(await body, CONTENT);
    await client.expectReply(226);
  });

  it('EPSV gives a port that works the same way (RFC 2428 §3)', async () => {
    const client = await alice();
    const reply = await client.expect('EPSV', 229);
    const match = /\(\|\|\|(\d+)\|\)/.exec(reply.text);
    assert.ok(match, reply.text);
    const data = await connectData(Number(match[1]));
    const body = collect(data);
    await client.expect('RETR file.txt', 150);
    assert.deepEqual(await body, CONTENT);
    await client.expectReply(226);
  });
});

describe('active mode', () => {
  it('PORT and EPRT to the client itself work', async () => {
    const client = await alice();
    for (const command of ['PORT', 'EPRT']) {
      const listener = await listenActive();
      try {
        await client.expect(command === 'PORT' ? `PORT ${portArgument('127.0.0.1', listener.port)}` : `EPRT |1|127.0.0.1|${listener.port}|`, 200);
        client.send('RETR file.txt');
        const data = await withTimeout(listener.accepted, 3000, 'the server connects');
        assert.equal(data.remoteAddress, '127.0.0.1');
        const body = collect(data);
        await client.expectReply(150);
        assert.deepEqual(await body, CONTENT);
        await client.expectReply(226);
      } finally {
        listener.close();
      }
    }
  });

  it('PORT/EPRT to another address or to a privileged port are refused, and the server never connects', async () => {
    const client = await alice();
    const elsewhere = createServer();
    const connections: Socket[] = [];
    elsewhere.on('connection', (socket) => connections.push(socket));
    await new Promise<void>((resolve) => elsewhere.listen({ host: '127.0.0.2', port: 0 }, resolve));
    const address = elsewhere.address();
    assert.ok(address && typeof address === 'object');
    try {
      for (const line of [
        `PORT ${portArgument('127.0.0.2', address.port)}`,
        `EPRT |1|127.0.0.2|${address.port}|`,
        'PORT 127,0,0,1,0,80',
        'EPRT |1|127.0.0.1|80|',
        'PORT 127,0,0,1,0,21',
        'PORT 127,0,0,1,3,255',
        'PORT 10,0,0,1,31,64',
      ]) {
        const reply = await client.command(line);
        assert.equal(reply.code, 501, `${line} -> ${reply.code} ${reply.text}`);
      }
      assert.equal((await client.command('EPRT |3|x|1|')).code, 522);
      const reply = await client.command('RETR file.txt');
      assert.equal(reply.code, 425, 'no data target was set');
      await delay(200);
      assert.equal(connections.length, 0, 'the server connected to a refused target');
    } finally {
      for (const socket of connections) socket.destroy();
      elsewhere.close();
    }
  });

  it('an active target nobody listens on gives 425 and the session goes on', async () => {
    const client = await alice();
    const listener = await listenActive();
    listener.close();
    await delay(20);
    await client.expect(`PORT ${portArgument('127.0.0.1', listener.port)}`, 200);
    const reply = await client.command('RETR file.txt', 5000);
    assert.equal(reply.code, 425, reply.text);
    await client.expect('NOOP', 200);
  });
});
