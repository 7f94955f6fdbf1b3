// Reconstructed by the extension-tests engineer from tsx's compile cache after this
// file was overwritten by mistake; the logic is the original's, the layout is not.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Socket } from 'node:net';
import { startTempServer, type TempServer } from '../temp-server.ts';
import { ControlClient, delay, withTimeout } from '../../test/control-client.ts';

const BIG = 32 * 1024 * 1024;
const SMALL = randomBytes(64 * 1024);
let server: TempServer;
let home: string;
const clients: ControlClient[] = [];

async function alice(): Promise<ControlClient> {
  const client = await ControlClient.open(server.port, { user: 'alice', password: 'alice-pw' });
  clients.push(client);
  await client.expect('TYPE I', 200);
  return client;
}

function drained(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.once('close', () => resolve(bytes));
    socket.resume();
  });
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function serverStillServes(): Promise<void> {
  const client = await alice();
  assert.equal(sha256(await client.retr('small.bin')), sha256(SMALL));
  await client.expect('QUIT', 221);
}

before(async () => {
  server = await startTempServer();
  home = join(server.dataDir, 'storage', 'alice');
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'big.bin'), Buffer.alloc(BIG, 'abcdefgh'));
  await writeFile(join(home, 'small.bin'), SMALL);
});

after(async () => {
  for (const client of clients) client.close();
  await server.stop();
});

describe('ABOR', () => {
  it('with no transfer: 225', async () => {
    const client = await alice();
    await client.expect('ABOR', 225);
  });

  it('during a big RETR: 426 for the transfer, then 226 for ABOR; the session goes on', async () => {
    const client = await alice();
    const data = await client.openPassive();
    data.pause();
    await client.expect('RETR big.bin', 150);
    await delay(100);
    client.write(Buffer.concat([Buffer.from([255, 244, 255, 242]), Buffer.from('ABOR\r\n')]));
    await client.expectReply(426);
    await client.expectReply(226);
    const received = await withTimeout(drained(data), 3000, 'the server closes the data connection');
    assert.ok(received < BIG, `the whole file arrived (${received} bytes) despite ABOR`);
    await client.expect('NOOP', 200);
    assert.equal(sha256(await client.retr('small.bin')), sha256(SMALL));
  });

  it('during a STOR: 426 then 226, and the partial new file keeps what arrived (protocol.md "Uploads and resume")', async () => {
    const client = await alice();
    const data = await client.openPassive();
    await client.expect('STOR aborted.bin', 150);
    const sent = Buffer.alloc(256 * 1024, 'z');
    data.write(sent);
    await delay(200);
    client.send('ABOR');
    await client.expectReply(426);
    await client.expectReply(226);
    data.destroy();
    const size = (await stat(join(home, 'aborted.bin'))).size;
    assert.ok(size > 0 && size <= sent.length, `kept ${size} bytes`);
    await client.expect('NOOP', 200);
  });
});

describe('a client killed mid-transfer', () => {
  it('mid-RETR: the server drops the session and serves a new one', async () => {
    const baseline = server.server.sessionCount;
    const client = await alice();
    const data = await client.openPassive();
    let got = 0;
    const firstBytes = new Promise<void>((resolve) =>
      data.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got > 1024 * 1024) resolve();
      }),
    );
    await client.expect('RETR big.bin', 150);
    await withTimeout(firstBytes, 5000, 'first megabyte');
    data.destroy();
    client.close();
    await serverStillServes();
    await waitFor(() => server.server.sessionCount === baseline, 'the killed session is gone');
  });

  it('mid-STOR: the server drops the session, keeps the bytes received, and serves a new one', async () => {
    const baseline = server.server.sessionCount;
    const client = await alice();
    const data = await client.openPassive();
    await client.expect('STOR killed.bin', 150);
    await new Promise<void>((resolve) => data.write(Buffer.alloc(512 * 1024, 'k'), () => resolve()));
    await delay(100);
    data.destroy();
    client.close();
    await serverStillServes();
    await waitFor(() => server.server.sessionCount === baseline, 'the killed session is gone');
    const size = (await stat(join(home, 'killed.bin'))).size;
    assert.ok(size <= 512 * 1024, `${size} bytes`);
    const resume = await alice();
    const rest = await resume.openPassive();
    await resume.expect(`REST ${size}`, 350);
    await resume.expect('STOR killed.bin', 150);
    rest.end(Buffer.alloc(1024 * 1024 - size, 'r'));
    await resume.expectReply(226);
    const expected = Buffer.concat([Buffer.alloc(size, 'k'), Buffer.alloc(1024 * 1024 - size, 'r')]);
    assert.equal(sha256(await readFile(join(home, 'killed.bin'))), sha256(expected), `kept ${size}; ${resume.dump()}`);
  });

  it('the control connection killed while the data connection stays open: the transfer ends and the session goes', async () => {
    const baseline = server.server.sessionCount;
    const client = await alice();
    const data = await client.openPassive();
    data.pause();
    await client.expect('RETR big.bin', 150);
    client.close();
    const received = await withTimeout(drained(data), 5000, 'the server closes the data connection');
    assert.ok(received < BIG, `${received} bytes`);
    await waitFor(() => server.server.sessionCount === baseline, 'the session is gone');
    await serverStillServes();
  });
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await delay(20);
  }
}

describe('files that are not regular files', () => {
  it('RETR of a FIFO or a folder is 550 at once (an open must not wait for a writer), and the session goes on', async () => {
    await mkdir(join(home, 'folder'), { recursive: true });
    execFileSync('mkfifo', [join(home, 'pipe')]);
    const client = await alice();
    for (const name of ['pipe', 'folder']) {
      await client.openPassive();
      const reply = await client.command(`RETR ${name}`, 3000);
      assert.equal(reply.code, 550, `RETR ${name}: ${reply.text}`);
    }
    await client.expect('NOOP', 200);
    assert.equal(sha256(await client.retr('small.bin')), sha256(SMALL));
  });
});
