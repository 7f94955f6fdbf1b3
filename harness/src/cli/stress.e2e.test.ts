/**
 * ftp-check stress and merge as an operator runs them: real processes, exit
 * codes, output piped (so no progress line), and a sharded run: two shard
 * processes against one ftp-ref at once, then merge, whose histogram is exactly
 * the two shards' together.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { startStressTarget } from '../stress/embedded-target.ts';
import type { EmbeddedTarget } from '../target/embedded.ts';
import { decodeHistogram } from '../stress/metrics.ts';
import type { ResultJson } from '../stress/result.ts';

let target: EmbeddedTarget;
let dir: string;
before(async () => {
  target = await startStressTarget();
  dir = await mkdtemp(join(tmpdir(), 'stress-e2e-'));
});
after(async () => {
  await target.stop();
  await rm(dir, { recursive: true, force: true });
});

function ftpCheck(args: string[]) {
  return execa(process.execPath, ['bin/ftp-check.js', ...args], { reject: false, timeout: 60_000, env: { NO_COLOR: '1' } });
}

const targetFlags = () => ['--target', `${target.profile.host}:${target.profile.port}`, '--user', 'alice:alice-secret-1', '--admin', 'admin:admin-secret-3'];

test('a malformed threshold is a usage error (exit 2) before any load', async () => {
  const result = await ftpCheck(['stress', '--target', '127.0.0.1:1', '--threshold', 'p99 is small']);
  assert.equal(result.exitCode, 2);
  assert.match(result.stderr, /--threshold "p99 is small" is not like p99<250ms/);
  assert.doesNotMatch(result.stderr, /cannot reach/);
});

test('a breached threshold exits 1; piped output has the table and no progress line', async () => {
  const result = await ftpCheck(['stress', ...targetFlags(), '--scenario', 'connect', '--clients', '2', '--amount', '20', '--threshold', 'errors==0', '--threshold', 'connect.p50<0.001ms']);
  assert.equal(result.exitCode, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /^connect +20 +0 /m);
  assert.match(result.stdout, /pass {2}errors==0/);
  assert.match(result.stdout, /FAIL {2}connect\.p50<0\.001ms/);
  assert.match(result.stdout, /1 of 2 thresholds BREACHED/);
  assert.doesNotMatch(result.stderr + result.stdout, /\r|█|░|ops\/s \|/, 'no progress line off a terminal');
});

test('two shard processes at once, then merge: counts summed, histograms merged exactly, thresholds judged on the whole', async () => {
  const files = [join(dir, 'shard-1.json'), join(dir, 'shard-2.json')];
  const shards = await Promise.all(
    files.map((file, i) => ftpCheck(['stress', ...targetFlags(), '--scenario', 'login', '--clients', '4', '--amount', '10', '--shard', `${i + 1}/2`, '--json', file])),
  );
  for (const shard of shards) assert.equal(shard.exitCode, 0, shard.stdout + shard.stderr);
  assert.match(shards[0]!.stdout, /shard 1\/2/);
  const parts = await Promise.all(files.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as ResultJson));
  assert.deepEqual(parts.map((p) => p.ops.login?.count), [5, 5], '--amount 10 split exactly');
  assert.deepEqual(parts.map((p) => p.meta.model), [{ kind: 'closed', clients: 2 }, { kind: 'closed', clients: 2 }]);

  const mergedFile = join(dir, 'merged.json');
  const merged = await ftpCheck(['merge', ...files, '--json', mergedFile, '--threshold', 'login.count==10', '--threshold', 'errors==0']);
  assert.equal(merged.exitCode, 0, merged.stdout + merged.stderr);
  assert.match(merged.stdout, /2 shards merged/);
  assert.match(merged.stdout, /all 2 thresholds hold/);
  const whole = JSON.parse(await readFile(mergedFile, 'utf8')) as ResultJson;
  const expected = decodeHistogram(parts[0]!.ops.login!.hdr);
  expected.add(decodeHistogram(parts[1]!.ops.login!.hdr));
  const got = decodeHistogram(whole.ops.login!.hdr);
  assert.equal(got.totalCount, 10);
  for (const p of [50, 90, 99, 100]) assert.equal(got.getValueAtPercentile(p), expected.getValueAtPercentile(p));
  assert.equal(whole.meta.startedAt, Math.min(...parts.map((p) => p.meta.startedAt)));
  assert.equal(whole.meta.endedAt, Math.max(...parts.map((p) => p.meta.endedAt)));

  const breached = await ftpCheck(['merge', ...files, '--threshold', 'login.count>10']);
  assert.equal(breached.exitCode, 1);
  const notJson = await ftpCheck(['merge', join(dir, 'missing.json')]);
  assert.equal(notJson.exitCode, 2);
});
