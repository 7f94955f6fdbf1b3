/**
 * `grade --target` against a correct ftp-ref: the rubric's accounts do not exist
 * there, so the cases that need them are "not checked", never failures of the
 * server; with run's account flags the same server earns full marks; a target
 * that does not answer is exit 2.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';
import { freePort } from './submission.ts';

const RUBRIC = 'fixtures/class/rubric-quick.yaml';

async function startFtpRef(t: TestContext, accounts: [string, string, number][]): Promise<number> {
  const data = await temporaryFolder(t, 'ftp-grade-target-');
  await mkdir(join(data, 'public'), { recursive: true });
  await writeFile(join(data, 'public', 'welcome.txt'), 'Welcome to the lab server.\n');
  for (const [name, password, quota] of accounts) await execa(process.execPath, ['bin/ftp-ref.js', 'user', 'add', name, '--password', password, '--quota', String(quota), '--data', data]);
  const port = await freePort();
  const server = execa(process.execPath, ['bin/ftp-ref.js', '--port', String(port), '--data', data, '--log-level', 'warn'], { reject: false });
  t.after(() => {
    server.kill();
    return server;
  });
  for (let attempt = 0; attempt < 100; attempt++) {
    const probe = await execa(process.execPath, ['-e', `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`], { reject: false });
    if (probe.exitCode === 0) return port;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('ftp-ref did not start');
}

test('grade --target: missing rubric accounts are "not checked"; the account flags give full marks; a dead target is exit 2', { timeout: 120_000 }, async (t) => {
  const port = await startFtpRef(t, [['lab1', 'lab-pass-1', 0], ['lab2', 'lab-pass-2', 0], ['labq', 'lab-pass-q', 1048576]]);
  const reports = await temporaryFolder(t, 'ftp-grade-target-reports-');
  const base = ['bin/ftp-check.js', 'grade', '--target', `127.0.0.1:${port}`, '--rubric', RUBRIC, '--reports', reports];

  const without = await execa(process.execPath, [...base, '--student', 'without'], { reject: false, timeout: 100_000 });
  assert.equal(without.exitCode, 1, without.stderr);
  const report = await readFile(join(reports, 'grade', 'without', 'report.md'), 'utf8');
  assert.match(report, /## Failed cases \(0\)/, 'nothing is blamed on the server');
  assert.match(report, /## Not checked \(\d+\): no marks, and not the server's fault\n\n- not checked: the rubric's accounts do not exist on the target \(user student1/);
  assert.match(without.stdout, /not checked: the rubric's accounts do not exist on the target: user student1, user2 student2, quota quotauser cannot log in/);

  const withFlags = await execa(process.execPath, [...base, '--student', 'with', '--user', 'lab1:lab-pass-1', '--user2', 'lab2:lab-pass-2', '--quota-user', 'labq:lab-pass-q:1048576'], { reject: false, timeout: 100_000 });
  assert.equal(withFlags.exitCode, 0, withFlags.stdout + withFlags.stderr);
  assert.match(withFlags.stdout, /^with: 100 \/ 100 \(100%\) PASS/m);

  const dead = await execa(process.execPath, ['bin/ftp-check.js', 'grade', '--target', `127.0.0.1:${await freePort()}`, '--rubric', RUBRIC, '--reports', reports], { reject: false, timeout: 30_000 });
  assert.equal(dead.exitCode, 2);
  assert.match(dead.stderr, /target error: cannot reach the target/);
});
