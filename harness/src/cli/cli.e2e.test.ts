/**
 * ftp-check as a user runs it: the real program, its exit codes, its report
 * files (JUnit read back by a real JUnit parser), against the embedded ftp-ref
 * and against real peer servers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse as parseJUnit } from 'junit2json';
import { requirePeer } from '../peers/require-peer.ts';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';

const CLI = ['bin/ftp-check.js'];

async function ftpCheck(args: string[], timeout = 300_000) {
  return execa(process.execPath, [...CLI, ...args], { reject: false, timeout, env: { NO_COLOR: '1' } });
}

test('the main command: every suite against the embedded ftp-ref passes, with JUnit, TAP and JSON', { timeout: 300_000 }, async (t) => {
  const reports = await temporaryFolder(t, 'ftp-check-reports-');
  const result = await ftpCheck(['run', '--reports', reports, '--junit', '--tap', '--json']);
  const lines = result.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  assert.match(last, /^\d+ passed, 0 failed, \d+ skipped$/, `${result.stdout.slice(-3000)}\n${result.stderr}`);
  assert.equal(result.exitCode, 0);
  const passed = Number(/^(\d+) passed/.exec(last)?.[1]);
  assert.ok(passed >= 40, `only ${passed} cases passed`);
  const junit = await parseJUnit(await readFile(join(reports, 'junit.xml'), 'utf8'));
  assert.ok(junit && 'testsuite' in junit && Array.isArray(junit.testsuite), 'JUnit has test suites');
  const suites = (junit as { testsuite: { name: string; tests?: number; failures?: number }[] }).testsuite;
  assert.ok(suites.some((suite) => suite.name === 'rfc959'));
  assert.equal(suites.reduce((sum, suite) => sum + (suite.failures ?? 0), 0), 0);
  const tap = await readFile(join(reports, 'results.tap'), 'utf8');
  assert.match(tap, /^TAP version 14\n/);
  assert.doesNotMatch(tap, /^not ok /m);
  const json = JSON.parse(await readFile(join(reports, 'results.json'), 'utf8')) as { cases: { status: string }[] };
  assert.equal(json.cases.filter((c) => c.status === 'failed').length, 0);
});

test('with --tls the RFC 4217 sequence cases still check the time before AUTH TLS, and pass against the embedded ftp-ref', { timeout: 120_000 }, async () => {
  // Under --tls every connection starts TLS with PBSZ and PROT; the cases about PBSZ before AUTH and
  // PROT before PBSZ keep their connection plain, or they would judge the harness's own commands.
  const result = await ftpCheck(['run', '--tls', '--case', 'rfc959.auth-tls-*', '--case', 'rfc959.pbsz-*', '--case', 'rfc959.prot-*']);
  assert.match(result.stdout, /PASS {2}rfc959\.pbsz-before-auth-503/, result.stdout);
  assert.match(result.stdout, /PASS {2}rfc959\.prot-before-pbsz-503/, result.stdout);
  assert.match(result.stdout, /^5 passed, 0 failed, 0 skipped$/m, result.stdout);
  assert.equal(result.exitCode, 0);
});

test('an unreachable target exits 2 at once with the reason', async () => {
  const result = await ftpCheck(['run', '--target', '127.0.0.1:1']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /cannot reach the target 127\.0\.0\.1:1: connection to 127\.0\.0\.1:1 refused/);
});

test('a bad spec exits 2 naming its file and line, before touching any target', async (t) => {
  const dir = await temporaryFolder(t, 'bad-spec-');
  await mkdir(join(dir, 'demo'));
  await writeFile(join(dir, 'demo', 'bad.yaml'), 'suite: demo\ncases:\n  - id: demo.x\n    title: X case\n    severity: sometimes\n    references: [x]\n    warning: It went wrong here.\n    steps: [{ send: NOOP }]\n');
  const result = await ftpCheck(['run', '--specs', dir, '--target', '127.0.0.1:1']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /invalid spec:\n {2}.*bad\.yaml:5: cases\/0\/severity: must be one of/);
  assert.doesNotMatch(result.stderr, /cannot reach/);
});

test('a bad flag exits 2 with usage', async () => {
  const result = await ftpCheck(['run', '--jobs', 'many']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /--jobs/);
  const unknown = await ftpCheck(['run', '--frobnicate']);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /unknown option --frobnicate \(see ftp-check run --help\)/);
});

test('--list lists cases without touching a target', async () => {
  const result = await ftpCheck(['run', '--list', '--suite', 'rfc959']);
  assert.equal(result.exitCode, 0);
  assert.match(result.stdout, /^rfc959\.greeting-220 /m);
  assert.match(result.stdout, /\d+ cases in 1 suites?$/m);
});

for (const peer of ['vsftpd', 'pure-ftpd'] as const) {
  test(`against ${peer}: every applicable case runs and JUnit, TAP and JSON are written`, { timeout: 300_000 }, async (t) => {
    if (!requirePeer(t, peer)) return;
    const reports = await temporaryFolder(t, `ftp-check-${peer}-`);
    const result = await execa(process.execPath, ['--import', 'tsx', 'scripts/peer-check.ts', peer, '--reports', reports, '--junit', '--tap', '--json'], { reject: false, timeout: 280_000, env: { NO_COLOR: '1' } });
    assert.ok(result.exitCode === 0 || result.exitCode === 1, `exit ${result.exitCode}: ${result.stderr}\n${result.stdout.slice(-2000)}`);
    assert.match(result.stdout, /^\d+ passed, \d+ failed(, \d+ not checked)?, \d+ skipped$/m);
    const json = JSON.parse(await readFile(join(reports, 'results.json'), 'utf8')) as { cases: { id: string; status: string; harnessError: string | null }[] };
    const harnessErrors = json.cases.filter((c) => c.harnessError);
    assert.deepEqual(harnessErrors.map((c) => c.id), [], 'no case may fail through a bug of ftp-check');
    const junit = await parseJUnit(await readFile(join(reports, 'junit.xml'), 'utf8'));
    assert.ok(junit && 'testsuite' in junit);
    assert.match(await readFile(join(reports, 'results.tap'), 'utf8'), /^TAP version 14\n1\.\.\d+/);
  });
}
