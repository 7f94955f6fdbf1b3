/**
 * protocol.md "Quota" across a crash: the real program (bin/ftp-ref.js) is
 * killed with SIGKILL in the middle of uploads and started again on the same
 * data folder; the usage it then reports (SITE QUOTA) must equal the bytes in
 * the home, an overwrite in flight must leave the old file whole, and the
 * limit must still hold to the byte.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { execa, type ResultPromise } from 'execa';
import { AccountStore } from './accounts/account-store.ts';
import { RawFtp } from '../test/raw-ftp-client.ts';
import { bytesOnDisk, parseQuota, patternBytes, waitFor, withTimeoutOf } from '../test/extension-kit.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LIMIT = 20_000_000;

interface RunningServer {
  process: ResultPromise;
  port: number;
}

const started: RunningServer[] = [];

/** Starts `node bin/ftp-ref.js --data DIR --port 0` and reads the chosen port from its first line. */
async function startProgram(dataDir: string): Promise<RunningServer> {
  const child = execa(process.execPath, ['bin/ftp-ref.js', '--data', dataDir, '--port', '0', '--anonymous', 'false'], {
    cwd: REPO_ROOT,
    reject: false,
    buffer: false,
    stdin: 'ignore',
  });
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => (output += text));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (output += text));
  const port = await withTimeoutOf(
    waitFor(() => Number(/ftp-ref listening on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]) || undefined, 30_000, 'ftp-ref to print its port'),
    15_000,
    () => `ftp-ref did not start: ${output}`,
  );
  const server = { process: child, port };
  started.push(server);
  return server;
}

async function killHard(server: RunningServer): Promise<void> {
  server.process.kill('SIGKILL');
  const result = await server.process;
  assert.equal(result.signal, 'SIGKILL');
}

/** Starts an upload, sends `prefix`, and returns once the server has written it to disk (the data socket stays open). */
async function uploadInFlight(client: RawFtp, command: string, prefix: Buffer, arrived: () => boolean): Promise<Socket> {
  const data = await client.openData();
  await client.expect(command, 150);
  data.write(prefix);
  await waitFor(arrived, 10_000, `${command}: ${prefix.length} bytes on disk`);
  return data;
}

const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : -1);

after(async () => {
  for (const server of started) if (server.process.exitCode === null && !server.process.killed) server.process.kill('SIGKILL');
  await Promise.allSettled(started.map((server) => server.process));
});

test('after kill -9 in the middle of uploads and a restart, SITE QUOTA equals the bytes on disk and the limit holds', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'ftp-ref-restart-'));
  try {
    const accounts = await AccountStore.open(join(dataDir, 'accounts.json'));
    await accounts.add('alice', 'alice-pw', { role: 'user', quotaLimit: LIMIT });
    const home = join(dataDir, 'storage', 'alice');

    const first = await startProgram(dataDir);
    const setup = await RawFtp.login(first.port, 'alice', 'alice-pw');
    const keep = patternBytes(700_000, 61);
    const old = patternBytes(400_000, 62);
    await setup.put('keep.bin', keep);
    await setup.put('overwrite-me.bin', old);
    await setup.put('grow.bin', patternBytes(100_000, 63));
    await setup.quit();

    // Three uploads in flight at the moment of the kill: a new file, an overwrite and an append.
    const [createClient, replaceClient, appendClient] = await Promise.all([1, 2, 3].map(() => RawFtp.login(first.port, 'alice', 'alice-pw')));
    const sockets = [
      await uploadInFlight(createClient as RawFtp, 'STOR new-partial.bin', patternBytes(1_500_000, 64), () => fileSize(join(home, 'new-partial.bin')) >= 1_500_000),
      await uploadInFlight(replaceClient as RawFtp, 'STOR overwrite-me.bin', patternBytes(900_000, 65), () => bytesOnDisk(join(dataDir, 'tmp')) >= 900_000),
      await uploadInFlight(appendClient as RawFtp, 'APPE grow.bin', patternBytes(600_000, 66), () => fileSize(join(home, 'grow.bin')) >= 700_000),
    ];
    await killHard(first);
    for (const socket of sockets) socket.destroy();
    for (const client of [createClient, replaceClient, appendClient]) client?.destroy();

    const second = await startProgram(dataDir);
    const client = await RawFtp.login(second.port, 'alice', 'alice-pw');
    const onDisk = bytesOnDisk(home);
    const quota = parseQuota((await client.send('SITE QUOTA')).text);
    assert.deepEqual(quota, { used: onDisk, limit: LIMIT }, `SITE QUOTA after the restart vs a walk of the home (${onDisk} bytes)`);
    assert.ok(onDisk >= 700_000 + 400_000 + 700_000 + 1_500_000, `the kept bytes are all counted (${onDisk})`);
    assert.deepEqual(readFileSync(join(home, 'keep.bin')), keep);
    assert.deepEqual(readFileSync(join(home, 'overwrite-me.bin')), old, 'an overwrite cut by the crash leaves the old content');
    assert.deepEqual(await client.get('overwrite-me.bin'), old);
    assert.equal(Number((await client.send('AVBL')).text), LIMIT - onDisk);

    // The limit still holds to the byte after the restart: fill it exactly, then one byte more.
    await client.put('fill.bin', patternBytes(LIMIT - onDisk, 67));
    assert.deepEqual(parseQuota((await client.send('SITE QUOTA')).text), { used: LIMIT, limit: LIMIT });
    const over = await client.upload('STOR one-too-many.bin', Buffer.from('x'));
    assert.equal(over.final?.code ?? over.preliminary.code, 552);
    assert.equal(bytesOnDisk(home), LIMIT);

    // Once more: killed while an upload is refused at the limit, started again, still exact.
    const racing = await uploadInFlight(client, 'APPE fill.bin', Buffer.alloc(0), () => true);
    racing.write(patternBytes(50_000, 68));
    await killHard(second);
    racing.destroy();
    client.destroy();
    const third = await startProgram(dataDir);
    const last = await RawFtp.login(third.port, 'alice', 'alice-pw');
    assert.deepEqual(parseQuota((await last.send('SITE QUOTA')).text), { used: bytesOnDisk(home), limit: LIMIT });
    assert.ok(bytesOnDisk(home) <= LIMIT, `the home holds ${bytesOnDisk(home)} bytes, past the limit`);
    await last.quit();
    third.process.kill('SIGTERM');
    await third.process;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
