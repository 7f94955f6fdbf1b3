/**
 * A teacher's run: the fixture class (a correct server, one that crashes at
 * start, one that hangs, one with a jail escape, one without quota) graded with
 * one command. The gradebook ranks them, names each problem, leaves no process
 * behind, and the HTML report renders in headless Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { requireTool } from '../../../reference-server/test/require-tool.ts';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';
import { requirePeer } from '../peers/require-peer.ts';
import { sandboxSupport } from './sandbox/support.ts';

/** Servers of the fixture class (not the graders, nor other tests' servers that may run meanwhile). */
async function fixtureServersLeft(): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
    if (cmdline.includes('ftp-check.js') || cmdline.includes('.test.ts')) continue;
    if (['server.py', '/opt/share/ftp-ref', 'fixtures/class/', 'held.append(conn)'].some((text) => cmdline.includes(text))) found.push(`${pid}: ${cmdline}`);
  }
  return found;
}

test('grading the fixture class ranks the five servers and names every problem', { timeout: 300_000 }, async (t) => {
  if (!requirePeer(t, 'pyftpdlib')) return;
  const reports = await temporaryFolder(t, 'ftp-grade-');
  // In the sandbox where this machine can build it (CI must); else, locally, without it, said so.
  const support = await sandboxSupport();
  if ('problem' in support && process.env.CI === 'true') assert.fail(`CI must grade in the sandbox: ${support.problem}`);
  const unsafe = 'problem' in support ? ['--unsafe-no-sandbox'] : [];
  if ('problem' in support) t.diagnostic(`graded without the sandbox: ${support.problem}`);
  const run = await execa(process.execPath, ['bin/ftp-check.js', 'grade', '--submissions', 'fixtures/class', '--rubric', 'fixtures/class/rubric.yaml', '--jobs', '3', '--reports', reports, ...unsafe], { reject: false, timeout: 280_000 });
  assert.equal(run.exitCode, 0, run.stderr + run.stdout.slice(-2000));
  const csv = (await readFile(join(reports, 'grade', 'gradebook.csv'), 'utf8')).trim().split('\n').slice(1);
  const order = csv.map((line) => line.split(',')[1]);
  assert.deepEqual(order, ['correct', 'no-quota', 'jail-escape', 'crash-at-start', 'hangs'], csv.join('\n'));
  const row = (student: string) => csv.find((line) => line.split(',')[1] === student) ?? '';
  assert.match(row('correct'), /,100,100,100,pass,$/);
  assert.match(row('crash-at-start'), /the server exited at start \(exit code 3\)/);
  assert.match(row('hangs'), /accepts connections but no 220 greeting came/);
  assert.match(row('hangs'), /hung −10/);
  const jailEscape = await readFile(join(reports, 'grade', 'jail-escape', 'report.md'), 'utf8');
  assert.match(jailEscape, /### jail\.host-[a-z-]+ /);
  assert.match(run.stdout, /^ {2}✗ jail\.host-retr-dotdot: .* — got \d+ bytes of the grading machine's file or folder \(asked for [./]+etc\/passwd\), starting "root:x:0:0:…"/m, 'the console names each failed case on one line');
  assert.doesNotMatch(jailEscape, /daemon:x:1:1/, "no more of the grading machine's /etc/passwd than its first fields");
  const noQuota = await readFile(join(reports, 'grade', 'no-quota', 'report.md'), 'utf8');
  assert.match(noQuota, /the target does not offer SITE QUOTA: quota\./);
  for (const student of ['correct', 'crash-at-start', 'hangs', 'jail-escape', 'no-quota']) {
    for (const file of ['report.md', 'report.html', 'junit.xml', 'server-stdout.log', 'server-stderr.log']) {
      await stat(join(reports, 'grade', student, file));
    }
  }
  assert.match(await readFile(join(reports, 'grade', 'crash-at-start', 'server-stderr.log'), 'utf8'), /server\.conf: no such file/);
  assert.deepEqual(await fixtureServersLeft(), [], 'no process of a graded server is left');

  if (!requireTool(t, 'chromium')) return;
  const html = join(reports, 'grade', 'jail-escape', 'report.html');
  const profile = await temporaryFolder(t, 'chromium-');
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`];
  const dom = await execa('chromium', [...flags, '--dump-dom', `file://${html}`], { timeout: 60_000 });
  assert.match(dom.stdout, /id="score">[\d.]+ \/ 100 \([\d.]+%\) FAIL/);
  assert.match(dom.stdout, /<h2 id="failed">Failed cases \(\d+\)<\/h2>/);
  const screenshot = join(reports, 'grade', 'jail-escape', 'report.png');
  await execa('chromium', [...flags, '--window-size=1200,1600', `--screenshot=${screenshot}`, `file://${html}`], { timeout: 60_000 });
  const png = await readFile(screenshot);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.ok(png.length > 20_000, `the screenshot has content (${png.length} bytes)`);
});
