/**
 * Attack tests of the grading sandbox: fixtures/class-hostile holds one
 * submission per trick (daemonise and edit the gradebook later, read the
 * grader's /proc environ and cmdline, write into the reports, read a
 * sibling's files, eat memory, listen elsewhere, fork-bomb, crash at start).
 * Graded in the sandbox, each is contained and marked as the rubric says.
 * The fallback without a sandbox is run explicitly, and refused without its flag.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, cp, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { execa } from 'execa';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';
import { sandboxSupport } from './sandbox/support.ts';

const RUBRIC = 'fixtures/class-hostile/rubric.yaml';
const SECRET = 'grader-secret-5d1e9b';

async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text) && !cmdline.includes('.test.ts')) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ')}`);
  }
  return found;
}

async function filesNamed(folder: string, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.name === name) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

test('every hostile submission is contained by the sandbox and marked as the rubric says', { timeout: 180_000 }, async (t) => {
  const support = await sandboxSupport();
  if ('problem' in support) {
    if (process.env.CI === 'true') assert.fail(`CI must grade in the sandbox: ${support.problem}`);
    t.skip(support.problem);
    return;
  }
  const reports = await temporaryFolder(t, 'ftp-grade-hostile-');
  // A service of the grading machine on its loopback, which call-home tries to reach.
  let calls = 0;
  const service = createServer((socket) => {
    calls++;
    socket.destroy();
  });
  const listening = await new Promise<boolean>((resolve) => service.once('error', () => resolve(false)).listen(39391, '127.0.0.1', () => resolve(true)));
  t.after(() => service.close());
  const run = await execa(process.execPath, ['bin/ftp-check.js', 'grade', '--submissions', 'fixtures/class-hostile', '--rubric', RUBRIC, '--jobs', '4', '--reports', reports], {
    reject: false,
    timeout: 170_000,
    env: { GRADER_SECRET_TOKEN: SECRET },
  });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout.slice(-3000));
  assert.match(run.stdout, /each in its own sandbox: cgroup v[12]/);
  const grade = join(reports, 'grade');
  const gradebook = await readFile(join(grade, 'gradebook.csv'), 'utf8');
  const row = (student: string) => gradebook.split('\n').find((line) => line.split(',')[1] === student) ?? '';

  // daemonise: its setsid'd, double-forked child died with its sandbox and never reached the gradebook.
  assert.deepEqual(await processesMentioning('hostile-daemon-marker'), []);
  assert.deepEqual(await processesMentioning('tiny_ftp.py'), [], 'no server of the hostile class is left');
  await new Promise((resolve) => setTimeout(resolve, 1500)); // the daemon wrote every 0.5 s while it lived
  assert.equal(await readFile(join(grade, 'gradebook.csv'), 'utf8'), gradebook);
  assert.doesNotMatch(gradebook, /PWNED/);
  assert.match(row('daemonise'), /,100,100,100,pass,$/);

  // read-environ: it saw only its own PID namespace; the grader's environment and command line never reached it.
  const environ = await readFile(join(grade, 'read-environ', 'server-stdout.log'), 'utf8');
  assert.match(environ, /\/proc\/1\/cmdline/, 'it did look');
  assert.doesNotMatch(environ, new RegExp(SECRET));
  assert.doesNotMatch(environ, /ftp-check\.js|--rubric|node_modules/);
  assert.match(row('read-environ'), /,100,100,100,pass,$/);

  // write-reports: nothing it wrote landed in the reports or beside the submissions.
  assert.deepEqual(await filesNamed(reports, 'pwned'), []);
  await assert.rejects(stat('fixtures/class-hostile/pwned-by-write-reports'));
  assert.match(row('write-reports'), /,100,100,100,pass,$/);

  // read-sibling: it looked for its classmates' files and found none.
  const sibling = await readFile(join(grade, 'read-sibling', 'server-stdout.log'), 'utf8');
  assert.match(sibling, /done looking/);
  assert.doesNotMatch(sibling, /SIBLING-SECRET/);

  // eat-memory: killed by the kernel at its cgroup limit, charged the memory penalty, not hung/crashed/restarted.
  assert.match(row('eat-memory'), /memory −25: the server was killed at start for using more than its 64 MiB memory limit/);
  assert.doesNotMatch(row('eat-memory'), /hung|crashed|restarted/);

  // wrong-port: named as such; in its own network namespace its stray listener reached nothing of the machine.
  assert.match(row('wrong-port'), /the server listens on port (\d+) instead of the port it was given/);

  // fork-bomb: the kernel refused its forks at the rubric's bound; the server then served and earned its marks.
  assert.match(row('fork-bomb'), /the kernel refused \d+ of its forks/);
  assert.match(row('fork-bomb'), /,100,100,100,pass,/);
  assert.match(await readFile(join(grade, 'fork-bomb', 'server-stdout.log'), 'utf8'), /fork-bomb: \d+ children, [1-9]\d* forks refused/);

  // call-home: its network namespace has only its own loopback.
  const callHome = await readFile(join(grade, 'call-home', 'server-stdout.log'), 'utf8');
  assert.match(callHome, /call-home: 127\.0\.0\.1:39391 unreachable/);
  assert.match(callHome, /call-home: 1\.1\.1\.1:53 unreachable/);
  assert.doesNotMatch(callHome, /reached/);
  if (listening) assert.equal(calls, 0, 'nothing reached the service on the grading machine\'s loopback');

  // crash-at-start: its own explanation is in the report.
  assert.match(row('crash-at-start'), /the server exited at start \(exit code 3\)/);
  const crashReport = await readFile(join(grade, 'crash-at-start', 'report.md'), 'utf8');
  assert.match(crashReport, /## The last lines your server wrote on stderr\n\n```+\nconfig: reading server.conf\nconfig error: server.conf line 3: unknown key 'prot'\n```+/);
  assert.match(await readFile(join(grade, 'crash-at-start', 'report.html'), 'utf8'), /<pre id="stderr">config: reading server.conf\nconfig error: server.conf line 3: unknown key &#39;prot&#39;<\/pre>/);
});

test('without a sandbox grade refuses, and runs only when --unsafe-no-sandbox says so', { timeout: 60_000 }, async (t) => {
  const submissions = await temporaryFolder(t, 'ftp-grade-fallback-');
  await cp('fixtures/class-hostile/crash-at-start', join(submissions, 'crash-at-start'), { recursive: true });
  await chmod(submissions, 0o755); // readable by the unprivileged run below
  const reports = await temporaryFolder(t, 'ftp-grade-fallback-reports-');
  const args = ['bin/ftp-check.js', 'grade', '--submissions', submissions, '--rubric', RUBRIC, '--jobs', '1', '--reports', reports];
  const unsafe = await execa(process.execPath, [...args, '--unsafe-no-sandbox'], { reject: false, timeout: 50_000 });
  assert.equal(unsafe.exitCode, 0, unsafe.stderr);
  assert.match(unsafe.stdout, /WARNING: --unsafe-no-sandbox: submissions run as this user/);
  assert.match(unsafe.stdout, /NO sandbox/);
  assert.match(await readFile(join(reports, 'grade', 'crash-at-start', 'report.md'), 'utf8'), /unknown key 'prot'/);

  // Where the sandbox cannot be built (here: not root), grade says why and stops, exit 2.
  if (process.getuid?.() !== 0) {
    const refused = await execa(process.execPath, args, { reject: false, timeout: 50_000 });
    assert.equal(refused.exitCode, 2);
    assert.match(refused.stderr, /cannot build the sandbox for untrusted submissions: the sandbox needs root.*\n.*add --unsafe-no-sandbox/);
    return;
  }
  const nobody = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...args.slice(0, -1), join(submissions, 'nobody-reports')], { reject: false, timeout: 50_000 });
  assert.equal(nobody.exitCode, 2, nobody.stdout + nobody.stderr);
  assert.match(nobody.stderr, /cannot build the sandbox for untrusted submissions: the sandbox needs root[^\n]*\n[^\n]*add --unsafe-no-sandbox/);
});
