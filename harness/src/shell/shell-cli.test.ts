/**
 * ftp-check shell as the program: its help, exit 2 for a target it cannot
 * reach or a script it cannot read (cli.ts maps TargetError and UsageError),
 * and --transcript showing the wire with passwords masked and server bytes
 * escaped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execa } from 'execa';
import { startFakeServer } from './testing/fake-ftp-server.ts';
import { runShell } from './testing/run-shell.ts';

const ftpCheck = (args: string[]) => execa(process.execPath, ['bin/ftp-check.js', ...args], { reject: false, timeout: 60_000, env: { NO_COLOR: '1' } });

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('shell --help lists its options; an unreachable target and an unreadable script exit 2', async () => {
  const help = await ftpCheck(['shell', '--help']);
  assert.equal(help.exitCode, 0, help.stderr);
  for (const option of ['--target', '--profile', '--user', '--tls', '--active', '--script', '--transcript']) assert.ok(help.stdout.includes(option), `help names ${option}`);
  const port = await closedPort();
  const refused = await ftpCheck(['shell', '--target', `127.0.0.1:${port}`, '--script', '-']);
  assert.equal(refused.exitCode, 2);
  assert.match(refused.stderr, new RegExp(`^ftp-check: target error: connection to 127\\.0\\.0\\.1:${port} refused`));
  const missing = await ftpCheck(['shell', '--target', `127.0.0.1:${port}`, '--script', 'no-such-script.txt']);
  assert.equal(missing.exitCode, 2);
  assert.match(missing.stderr, /cannot read the script no-such-script\.txt/);
});

test('--transcript: the wire after each command, a password masked, control bytes from the server escaped', async (t) => {
  const server = await startFakeServer({ replies: { SITE: '200 done \x1b[31mred\x1b[0m' } });
  t.after(() => server.stop());
  const result = await runShell({ target: `${server.host}:${server.port}`, user: 'u:hunter22', transcript: true }, ['quote SITE ADDUSER zed zedsecret 100']);
  assert.match(result.output, /control > PASS \*\*\*$/m);
  assert.match(result.output, /control > SITE ADDUSER zed \*\*\* 100$/m);
  assert.ok(!result.output.includes('hunter22') && !result.output.includes('zedsecret'), 'no password anywhere in the output');
  assert.ok(!result.output.includes('\x1b'), 'no raw escape byte reaches the terminal');
  assert.match(result.output, /control < 200 done \\x1b\[31mred\\x1b\[0m$/m);
  assert.equal(result.code, 0, result.output);
});
