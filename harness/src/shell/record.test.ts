/**
 * record start/stop: a session recorded against the embedded ftp-ref is a spec
 * case that `ftp-check run --specs FILE` replays green there, and that fails
 * against a scripted fake server broken the way the case can see (SIZE one
 * byte off).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';
import { startFakeServer } from './testing/fake-ftp-server.ts';
import { runCommand, type RunFlags } from '../cli/run-command.ts';
import { runShell } from './testing/run-shell.ts';

const SIZE = 100_000;

test('a recorded session replays green against ftp-ref (ftp-check run --specs) and fails against a fake server whose SIZE is off by one', { timeout: 120_000 }, async (t) => {
  const dir = await temporaryFolder(t, 'shell-record-');
  const local = join(dir, 'up.bin');
  await writeFile(local, randomBytes(SIZE));
  const spec = join(dir, 'session.yaml');
  const recorded = await runShell({}, [
    `record start ${spec}`,
    'mkdir rec',
    'cd rec',
    `put ${local} up.bin`,
    'size up.bin',
    'ls',
    `get up.bin ${join(dir, 'down.bin')}`,
    'mv up.bin moved.bin',
    'rm moved.bin',
    'cd ..',
    'rmdir rec',
    'record stop',
  ]);
  assert.equal(recorded.code, 0, recorded.output);
  assert.match(recorded.output, /wrote \S+session\.yaml: 10 steps; replay with ftp-check run --specs/);

  const document = parse(await readFile(spec, 'utf8')) as { suite: string; cases: { id: string; steps: Record<string, unknown>[] }[] };
  assert.equal(document.suite, 'recorded');
  const steps = document.cases[0]?.steps ?? [];
  assert.deepEqual(steps.slice(0, 3), [{ login: 'user' }, { send: 'TYPE I', expect: { class: 2 } }, { mkdir: 'rec', expect: { class: 2 } }]);
  assert.deepEqual(steps[4], { put: 'up.bin', random: SIZE, remember: 'upload1', expect: { class: 2 } });
  assert.deepEqual(steps[5], { size: 'up.bin', equals: SIZE });
  assert.deepEqual(steps[7], { get: 'up.bin', expect: { class: 2 }, data: { equalsContentOf: 'upload1' } });
  assert.deepEqual(steps[8], { rename: { from: 'up.bin', to: 'moved.bin' }, expect: { class: 2 } });

  const reports = join(dir, 'reports');
  const green = await execa(process.execPath, ['bin/ftp-check.js', 'run', '--specs', spec, '--reports', reports], { reject: false, timeout: 60_000, env: { NO_COLOR: '1' } });
  assert.match(green.stdout, /^1 passed, 0 failed, 0 skipped$/m, `${green.stdout}\n${green.stderr}`);
  assert.equal(green.exitCode, 0);

  // A server that misbehaves the way the case can see: its SIZE is one byte off.
  const broken = await startFakeServer({ sizeOffset: 1 });
  t.after(() => broken.stop());
  const lines: string[] = [];
  const flags = { specs: [spec], target: `${broken.host}:${broken.port}`, user: 'alice:secret', list: false, bail: false, timeout: 10, jobs: 1, strict: false, reports, verbose: false, color: false } as unknown as RunFlags;
  const code = await runCommand(flags, { out: (text) => lines.push(text), progress: { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream });
  const printed = lines.join('\n');
  assert.equal(code, 1, printed);
  assert.match(printed, /FAIL {2}recorded\.session/);
  assert.match(printed, /step: step 6: size up\.bin\s+expected: size 100000\s+actual: reply "213 100001"/);
});
