/**
 * The interactive shell in a real pseudo-terminal (python3's pty module): the
 * progress bar draws and is cleared, tab completion completes a remote name
 * from NLST, and Ctrl-C aborts a running transfer with ABOR while the shell
 * stays. Without python3 the test is skipped with its reason, except in CI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';

const DRIVER = resolve(import.meta.dirname, 'testing/pty-drive.py');
const CLI = resolve(import.meta.dirname, '../../../bin/ftp-check.js');
const hasPython = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;
const skip = !hasPython && !process.env.CI ? 'python3 with its pty module is not on this machine (CI has it)' : false;

const MiB = 1024 * 1024;
/** Slow enough that a 4 MiB transfer takes about 2 s: the bar gets drawn and Ctrl-C lands inside it. */
const RATE = 2 * MiB;
const ESC = String.fromCharCode(27);

type Step = { send: string } | { expect: string };

async function drive(cwd: string, argv: string[], steps: Step[], env: Record<string, string>): Promise<{ ok: boolean; failed: Step | null; output: string; status: number }> {
  const result = await execa('python3', [DRIVER, JSON.stringify({ argv, cwd, steps, timeout: 60 })], { reject: false, timeout: 90_000, env });
  assert.equal(result.exitCode, 0, result.stderr);
  return JSON.parse(result.stdout) as { ok: boolean; failed: Step | null; output: string; status: number };
}

test('interactive: progress bar drawn then cleared, tab completes a remote name, Ctrl-C aborts a transfer and the shell stays, history outlives the session', { skip, timeout: 120_000 }, async (t) => {
  const dir = await temporaryFolder(t, 'shell-pty-');
  const original = randomBytes(4 * MiB);
  await writeFile(join(dir, 'zebra-notes.bin'), original);
  const history = join(dir, 'history');
  await writeFile(history, 'status\n');
  const run = await drive(dir, [process.execPath, CLI, 'shell', '--limit-rate', String(RATE)], [
    { expect: 'ftp> ' },
    { send: 'put zebra-notes.bin\r' },
    { expect: 'put zebra-notes\\.bin: 4194304 bytes in [\\d.]+ s .*ok' },
    { expect: 'ftp> ' },
    { send: 'get zeb\t' },
    { expect: 'ra-notes\\.bin' },
    { send: ' copy.bin\r' },
    { expect: 'get zebra-notes\\.bin \\[#' },
    { send: '\x03' },
    { expect: 'aborting the transfer \\(ABOR\\)' },
    { expect: 'get zebra-notes\\.bin: aborted \\(ABOR sent\\)' },
    { expect: 'ftp> ' },
    { send: 'pwd\r' },
    { expect: '257 "/" is the current directory' },
    { expect: 'ftp> ' },
    { send: 'user alice alice-secret-1\r' },
    { expect: '230 Login successful' },
    { expect: 'ftp> ' },
    { send: '\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A\r' },
    { expect: 'connected: 127\\.0\\.0\\.1' },
    { expect: 'ftp> ' },
    { send: 'exit\r' },
  ], { FTP_CHECK_HISTORY: history });
  assert.ok(run.ok, `the step ${JSON.stringify(run.failed)} did not hold; the terminal showed:\n${JSON.stringify(run.output)}`);
  assert.equal(run.status, 0);
  const output = run.output;
  assert.doesNotMatch(output, /WARNING/, 'ftp-ref gives no reason for a warning (random file bytes are no leak)');
  // The bar: drawn at least once with its percentage and rate, then the line cleared (ESC[2K) before the summary.
  const summary = output.indexOf('put zebra-notes.bin: 4194304 bytes');
  const lastBar = output.lastIndexOf('put zebra-notes.bin [', summary);
  assert.ok(lastBar >= 0, 'the put drew a progress bar');
  assert.match(output.slice(lastBar, summary), /\[#*-*\] \d+% [\d.]+ \S+\/4\.0 MiB [\d.]+ \S+\/s ETA/);
  assert.ok(output.slice(lastBar, summary).includes(`${ESC}[2K`), 'the bar line is cleared before the summary');
  // Tab completion: the line was completed from the server's NLST (the shell does not know the local file).
  assert.match(output, /get zeb\S*ra-notes\.bin/);
  // Ctrl-C: the partial download is kept, the shell answered pwd afterwards and left with exit 0.
  const copy = await readFile(join(dir, 'copy.bin')).catch(() => Buffer.alloc(0));
  assert.ok(copy.length < original.length, `the aborted download stopped short (${copy.length} bytes)`);
  assert.ok(original.subarray(0, copy.length).equals(copy), 'what it kept is the start of the file');
  // History: five times up reached the line saved by an earlier session (status); the file keeps no password.
  const saved = await readFile(history, 'utf8');
  assert.equal(saved, 'status\nput zebra-notes.bin\nget zebra-notes.bin copy.bin\npwd\nuser alice ***\nstatus\nexit\n');
});
