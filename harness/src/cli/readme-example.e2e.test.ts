/**
 * README's own example, as a user runs it: an ftp-ref started with its
 * defaults and two accounts, then `ftp-check run --target … --user … --user2 …`
 * with no profile. ftp-check must not report the 421s of its own parallel
 * sessions (ftp-ref allows 10 per account by default): every case passes,
 * none fails or goes unchecked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';

const FTP_REF = 'bin/ftp-ref.js';

test("README's example against an ftp-ref with its default limits passes every case it runs", { timeout: 300_000 }, async (t) => {
  const data = await temporaryFolder(t, 'readme-example-');
  for (const [name, password] of [['alice', 'secret'], ['bob', 'secret2']] as const) {
    await execa(process.execPath, [FTP_REF, 'user', 'add', name, '--password', password, '--data', data]);
  }
  const server = execa(process.execPath, [FTP_REF, '--port', '0', '--data', data], { reject: false, buffer: false });
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let seen = '';
      server.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const listening = /listening on (\S+)/.exec(seen);
        if (listening) resolve(listening[1] as string);
      });
      void server.then(() => reject(new Error(`ftp-ref ended before listening: ${seen}`)));
    });
    const run = await execa(process.execPath, ['bin/ftp-check.js', 'run', '--target', address, '--user', 'alice:secret', '--user2', 'bob:secret2', '--reports', data], {
      reject: false,
      timeout: 240_000,
      env: { NO_COLOR: '1' },
    });
    const last = run.stdout.trim().split('\n').pop() ?? '';
    assert.match(last, /^\d+ passed, 0 failed, \d+ skipped$/, `${run.stdout.slice(-4000)}\n${run.stderr}`);
    assert.equal(run.exitCode, 0);
    assert.ok(Number(/^(\d+) passed/.exec(last)?.[1]) >= 200, last);
  } finally {
    server.kill('SIGTERM');
    await server;
  }
});
