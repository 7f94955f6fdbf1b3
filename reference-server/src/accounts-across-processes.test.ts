/**
 * The accounts file is shared by the server and the `ftp-ref user` command,
 * and must survive a crash: one cross-process lock around every
 * read-change-write (an acknowledged change is never lost), and a start that
 * clears what a crash left (a home without its account, temporary files).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { AccountStore } from './accounts/account-store.ts';
import { startTempServer } from './temp-server.ts';
import { ControlClient } from '../test/control-client.ts';
import { RawFtp } from '../test/raw-ftp-client.ts';
import { waitFor, withTimeoutOf } from '../test/extension-kit.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const folders: string[] = [];
const children: ResultPromise[] = [];

async function freshFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'ftp-ref-accounts-'));
  folders.push(folder);
  return folder;
}

after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.allSettled(children);
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

const namesInFile = (file: string): string[] => (JSON.parse(readFileSync(file, 'utf8')) as { accounts: { name: string }[] }).accounts.map((account) => account.name).sort();

function ftpRef(args: string[]): ResultPromise {
  const child = execa(process.execPath, ['bin/ftp-ref.js', ...args], { cwd: REPO_ROOT, reject: false, stdin: 'ignore', all: true });
  children.push(child);
  return child;
}

describe('one lock around every change of the accounts file', () => {
  test('two stores on one file (as two processes) adding at once lose nothing', async () => {
    const file = join(await freshFolder(), 'accounts.json');
    const [one, two] = [await AccountStore.open(file), await AccountStore.open(file)];
    const names = Array.from({ length: 12 }, (_, i) => [`one${i}`, `two${i}`]).flat();
    await Promise.all(names.map((name) => (name.startsWith('one') ? one : two).add(name, 'pw')));
    assert.deepEqual(namesInFile(file), [...names].sort());
  });

  test('`ftp-ref user add` run while the server answers SITE ADDUSER: every acknowledged account is in the file', { timeout: 120_000 }, async () => {
    const server = await startTempServer();
    try {
      const file = join(server.dataDir, 'accounts.json');
      const cli = Array.from({ length: 8 }, (_, i) => ftpRef(['user', 'add', `cli${i}`, '--password', `pw${i}`, '--data', server.dataDir]));
      const cliDone = Promise.allSettled(cli);
      let running = true;
      void cliDone.then(() => (running = false));
      const acknowledged: string[] = [];
      const admin = await ControlClient.open(server.port, { user: 'admin', password: 'admin-pw' });
      // SITE ADDUSER goes on for as long as the CLI processes run, so the two overlap.
      for (let i = 0; running || i < 4; i++) {
        if ((await admin.command(`SITE ADDUSER site${i} pw${i}`)).code === 200) acknowledged.push(`site${i}`);
      }
      admin.close();
      const results = await Promise.all(cli);
      for (const [i, result] of results.entries()) {
        assert.equal(result.exitCode, 0, `cli${i}: ${result.all}`);
        acknowledged.push(`cli${i}`);
      }
      const inFile = namesInFile(file);
      assert.deepEqual(acknowledged.filter((name) => !inFile.includes(name)), [], `acknowledged accounts missing from ${file}`);
    } finally {
      await server.stop();
    }
  });
});

describe('a start after a crash clears what the crash left', () => {
  test('an empty home without an account is freed, a kept home stays taken, temporary files go', async () => {
    const dataDir = await freshFolder();
    const store = await AccountStore.open(join(dataDir, 'accounts.json'));
    await store.add('alice', 'alice-pw');
    // What a kill -9 in the middle of SITE REGISTER used to leave: a home, no account.
    await mkdir(join(dataDir, 'storage', 'ghost'), { recursive: true });
    // The kept home of a deleted account: its files must never pass to a stranger.
    await mkdir(join(dataDir, 'storage', 'gone'), { recursive: true });
    await writeFile(join(dataDir, 'storage', 'gone', 'private.txt'), 'not yours');
    await writeFile(join(dataDir, 'accounts.json.4242.tmp'), '{"version":1,"accounts":[');
    const server = await startTempServer({ dataDir, accounts: [], settings: { registration: true } });
    try {
      assert.deepEqual(readdirSync(dataDir).filter((name) => name.endsWith('.tmp')), [], 'stale temporary files');
      const client = await ControlClient.open(server.port);
      assert.equal((await client.command('SITE REGISTER ghost ghost-pw')).code, 200, client.dump());
      assert.equal((await client.command('SITE REGISTER gone other-pw')).code, 550, client.dump());
      await client.login('ghost', 'ghost-pw');
      client.close();
      assert.equal(readFileSync(join(dataDir, 'storage', 'gone', 'private.txt'), 'utf8'), 'not yours');
    } finally {
      await server.stop({ keepData: true });
    }
  });

  test('kill -9 while SITE REGISTERs are answered: after a restart every name either logs in or can be registered', { timeout: 120_000 }, async () => {
    const dataDir = await freshFolder();
    const names = Array.from({ length: 8 }, (_, i) => `crash${i}`);
    const child = ftpRef(['--data', dataDir, '--port', '0', '--registration', '--anonymous', 'false']);
    let output = '';
    child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const port = await withTimeoutOf(waitFor(() => Number(/listening on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]) || undefined, 60_000, 'the port'), 60_000, () => output);
    const client = await ControlClient.open(port);
    client.write(names.map((name) => `SITE REGISTER ${name} ${name}-pw\r\n`).join(''));
    await client.expectReply(200);
    child.kill('SIGKILL');
    await child;
    client.close();

    const server = await startTempServer({ dataDir, accounts: [], settings: { registration: true } });
    try {
      for (const name of names) {
        const probe = await RawFtp.connect(server.port);
        await probe.client.expect(`USER ${name}`, 331);
        const pass = await probe.client.send(`PASS ${name}-pw`);
        if (pass.code !== 230) {
          const register = await probe.client.send(`SITE REGISTER ${name} ${name}-pw`);
          assert.equal(register.code, 200, `${name}: no account (PASS got ${pass.code}) and SITE REGISTER answers ${register.code} ${register.text}; home exists: ${existsSync(join(dataDir, 'storage', name))}`);
        }
        probe.client.destroy();
      }
    } finally {
      await server.stop({ keepData: true });
    }
  });
});
