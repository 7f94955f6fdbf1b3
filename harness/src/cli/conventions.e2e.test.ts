/**
 * The command-line habits users bring from other tools: help and version on
 * every command, clear usage errors, machine-readable lists, quiet pipes.
 * Each test runs the real program.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';

const CLI = 'bin/ftp-check.js';

async function ftpCheck(args: string[], env: Record<string, string> = { NO_COLOR: '1' }) {
  return execa(process.execPath, [CLI, ...args], { reject: false, timeout: 60_000, env });
}

test('--case that matches nothing echoes the globs and points to --list', async () => {
  const result = await ftpCheck(['run', '--suite', 'jail', '--case', 'jail.nothing-*']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /no case matches --suite jail --case 'jail\.nothing-\*'/);
  assert.match(result.stderr, /ftp-check run --list --suite jail/);
});

test('-h/--help and -V/--version answer on every command', async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  const commands = [[], ['run'], ['stress'], ['merge'], ['grade'], ['shell']];
  for (const [index, command] of commands.entries()) {
    // The long forms are yargs' own; once is enough for them.
    for (const flag of index === 0 ? ['-h', '--help'] : ['-h']) {
      const result = await ftpCheck([...command, flag]);
      assert.equal(result.exitCode, 0, `${command.join(' ')} ${flag}: ${result.stderr}`);
      assert.match(result.stdout, /Options:/, `${command.join(' ')} ${flag}`);
    }
    for (const flag of index === 0 ? ['-V', '--version'] : ['-V']) {
      const result = await ftpCheck([...command, flag]);
      assert.equal(result.exitCode, 0, `${command.join(' ')} ${flag}: ${result.stderr}`);
      assert.equal(result.stdout.trim(), version);
    }
  }
});

test('ftp-ref answers -h/--help and -V/--version too, at the top and on its commands', async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  for (const args of [['-h'], ['--help'], ['user', '-h'], ['user', 'add', '-h']]) {
    const result = await execa(process.execPath, ['bin/ftp-ref.js', ...args], { reject: false, timeout: 60_000 });
    assert.equal(result.exitCode, 0, `ftp-ref ${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stdout, /Options:/, `ftp-ref ${args.join(' ')}`);
  }
  for (const flag of ['-V', '--version']) {
    const result = await execa(process.execPath, ['bin/ftp-ref.js', flag], { reject: false, timeout: 60_000 });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  }
});

test('an unknown option is named once, as typed, with a pointer to --help instead of the help text', async () => {
  const result = await ftpCheck(['run', '--bogus-flag']);
  assert.equal(result.exitCode, 2);
  assert.equal(result.stderr.trim(), 'ftp-check: unknown option --bogus-flag (see ftp-check run --help)');
  const stress = await ftpCheck(['stress', '--clientz', '3', '-x']);
  assert.equal(stress.stderr.trim(), 'ftp-check: unknown options --clientz, -x (see ftp-check stress --help)');
});

test('a port out of range says so', async () => {
  const result = await ftpCheck(['run', '--target', '127.0.0.1:70000']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /port 70000 is out of range \(1-65535\)/);
});

test('--list --json is the case list as JSON; --list-suites counts cases per suite', async () => {
  const json = await ftpCheck(['run', '--list', '--json', '--suite', 'auth']);
  assert.equal(json.exitCode, 0, json.stderr);
  const cases = JSON.parse(json.stdout) as { id: string; suite: string; severity: string; level: string; file: string; line: number }[];
  assert.ok(cases.length > 0);
  for (const entry of cases) {
    assert.equal(entry.suite, 'auth');
    assert.match(entry.id, /^auth\./);
    assert.ok(['must', 'should'].includes(entry.level));
    assert.ok(entry.line >= 1 && entry.file.endsWith('.yaml'));
  }
  const suites = await ftpCheck(['run', '--list-suites']);
  assert.equal(suites.exitCode, 0);
  assert.match(suites.stdout, new RegExp(`^auth +${cases.length} cases$`, 'm'));
  assert.match(suites.stdout, /^rfc959 +\d+ cases$/m);
});

test('a closed pipe ends the output quietly: no stack trace, exit 0', async () => {
  const bash = await execa('bash', ['-c', `set -o pipefail; "${process.execPath}" ${CLI} run --list | head -n 1 >/dev/null`], { reject: false, timeout: 60_000 });
  assert.equal(bash.stderr, '');
  assert.ok(bash.exitCode === 0 || bash.exitCode === 141, `exit ${bash.exitCode}`);
});

test('--quiet prints only failures and the summary; --color paints, --no-color wins over it', async () => {
  const quiet = await ftpCheck(['run', '--suite', 'admin', '--case', 'admin.users-*', '--quiet']);
  assert.equal(quiet.exitCode, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stdout, /PASS|cases in 1 suite/);
  assert.match(quiet.stdout, /\n\d+ passed, 0 failed, 0 skipped\n$/);
  const colored = await ftpCheck(['run', '--suite', 'admin', '--case', 'admin.users-lists-*', '--color']);
  assert.match(colored.stdout, /\x1b\[/);
  const plain = await ftpCheck(['run', '--suite', 'admin', '--case', 'admin.users-lists-*', '--color', '--no-color']);
  assert.doesNotMatch(plain.stdout, /\x1b\[/);
  assert.match(plain.stdout, /PASS +admin\.users-lists-accounts/);
});
