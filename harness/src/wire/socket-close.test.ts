import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { test } from 'node:test';
import { execa } from 'execa';
import { dropSocket, endGracefully } from './socket-close.ts';

const CHILD = fileURLToPath(new URL('./data-ends.child.ts', import.meta.url));

// The guard of issue "ftp-check always ends": a leaked socket handle keeps a process
// alive (and spinning) after its work is done, so the check is that the child exits
// by itself. The bound is generous: on a loaded machine the scenarios take seconds.
test('data connections in every end state (FIN, RST, both, half-open; clear and TLS) let the process exit', { timeout: 120_000 }, async () => {
  const result = await execa(process.execPath, ['--import', 'tsx', CHILD], { reject: false, timeout: 90_000 });
  assert.equal(result.timedOut, false, `the process did not exit by itself; it got as far as:\n${result.stdout}\n${result.stderr}`);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout.split('\n').filter((line) => line.startsWith('ok ')).length, 18, result.stdout);
  assert.match(result.stdout, /all scenarios done/);
});

/** A connected pair of sockets on loopback, both ends ready. */
async function pair(): Promise<{ ours: net.Socket; theirs: net.Socket; server: net.Server }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const ours = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve) => ours.once('connect', () => resolve()));
  const theirs = await accepted;
  theirs.on('error', () => {});
  return { ours, theirs, server };
}

test('dropSocket resets an open connection: the peer sees ECONNRESET', async () => {
  const { ours, theirs, server } = await pair();
  const seen = new Promise<string | undefined>((resolve) => {
    theirs.once('error', (err: NodeJS.ErrnoException) => resolve(err.code));
    theirs.once('end', () => resolve('a clean end'));
  });
  dropSocket(ours);
  assert.equal(await seen, 'ECONNRESET');
  server.close();
});

test('dropSocket right after end() closes the connection instead of leaking it', async () => {
  const { ours, theirs, server } = await pair();
  const closed = new Promise<void>((resolve) => ours.once('close', () => resolve()));
  ours.end();
  dropSocket(ours); // a reset here would fail with EINVAL and leave the handle open
  await closed;
  assert.equal(ours.destroyed, true);
  theirs.destroy();
  server.close();
});

test('endGracefully resolves on a socket the peer has reset already', async () => {
  const { ours, theirs, server } = await pair();
  ours.on('error', () => {});
  const reset = new Promise<void>((resolve) => ours.once('close', () => resolve()));
  theirs.resetAndDestroy();
  await reset;
  await endGracefully(ours, 200);
  assert.equal(ours.destroyed, true);
  server.close();
});
