/**
 * The command-line habits users bring from other tools: help and version on
 * every command, clear usage errors, machine-readable lists, quiet pipes.
 * Each test runs the real program.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
