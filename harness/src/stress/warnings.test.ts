import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from './metrics.ts';
import { degradationWarnings } from './warnings.ts';
import type { StressResult } from './result.ts';

/** A run of `seconds` (plus `tailMs` of draining) with `perSecond(s)` operations of 2 ms in second s. */
function run(seconds: number, tailMs: number, perSecond: (second: number) => number, tailOps: number): StressResult {
  const metrics = new Metrics();
  for (let second = 0; second < seconds; second++) for (let i = 0; i < perSecond(second); i++) metrics.recordOp('RETR', 2000, second * 1000 + (i % 1000));
  for (let i = 0; i < tailOps; i++) metrics.recordOp('QUIT', 2000, seconds * 1000 + (i % Math.max(1, tailMs)));
  const startedAt = 1_700_000_000_000;
  return {
    meta: { scenario: 'download', target: 't', model: { kind: 'closed', clients: 20 }, shard: null, startedAt, endedAt: startedAt + seconds * 1000 + tailMs, warmupMs: 0, runs: 1 },
    metrics,
  } as StressResult;
}

test('an even run whose last operations drain into a short extra second is not said to lose throughput', () => {
  const warnings = degradationWarnings(run(3, 50, () => 1300, 31));
  assert.deepEqual(warnings.filter((w) => /throughput/.test(w)), []);
});

test('a run whose throughput really falls is still warned about', () => {
  const warnings = degradationWarnings(run(6, 50, (second) => (second < 2 ? 1300 : second < 4 ? 900 : 300), 31));
  assert.ok(warnings.some((w) => /throughput fell through the run: 2600 → 600 operations per third/.test(w)), warnings.join('\n'));
});
