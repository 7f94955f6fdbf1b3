import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHistogram, Metrics } from './metrics.ts';
import { durationMs, mergeResults, resultFromJson, resultToJson, thresholdView, type StressResult } from './result.ts';
import { evaluateThresholds, parseThreshold } from './thresholds.ts';

/** Fixed, skewed samples (microseconds): a long tail a mean would hide. */
function samples(seed: number, count: number): number[] {
  let x = seed;
  return Array.from({ length: count }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    const u = x / 2147483648;
    return Math.round(200 + 50_000 * u ** 8);
  });
}

function resultOf(values: Record<string, number[]>, startedAt: number, endedAt: number, extra: (m: Metrics) => void = () => {}): StressResult {
  const metrics = new Metrics();
  for (const [op, list] of Object.entries(values)) list.forEach((v, i) => metrics.recordOp(op, v, i));
  for (const v of values.connect ?? []) metrics.recordIteration(v * 3);
  extra(metrics);
  return { meta: { scenario: 'login', target: 'fake', model: { kind: 'closed', clients: 5 }, shard: null, startedAt, endedAt, warmupMs: 0, runs: 1 }, metrics };
}

const roundTrip = (result: StressResult): StressResult => resultFromJson(JSON.parse(JSON.stringify(resultToJson(result))), 'shard.json');

test('merging two shards equals one run over the same samples: histograms exact, counts summed, span as duration', () => {
  const a = { connect: samples(1, 3000), login: samples(2, 3000) };
  const b = { connect: samples(3, 2000), login: samples(4, 2000) };
  const shardA = resultOf(a, 1_000_000, 1_020_000, (m) => {
    m.bytesDown = 100;
    m.recordError('login', '421', '421', { op: 'login', message: 'x', atMs: 5, transcript: [] });
  });
  const shardB = resultOf(b, 1_000_500, 1_021_000, (m) => {
    m.bytesDown = 50;
    m.recordError('login', '421', '421', { op: 'login', message: 'y', atMs: 6, transcript: [] });
  });
  const whole = resultOf({ connect: [...a.connect, ...b.connect], login: [...a.login, ...b.login] }, 1_000_000, 1_021_000);
  const merged = mergeResults([roundTrip(shardA), roundTrip(shardB)]);

  for (const op of ['connect', 'login']) {
    assert.equal(encodeHistogram(merged.metrics.op(op).histogram), encodeHistogram(whole.metrics.op(op).histogram), `${op} histogram`);
  }
  assert.equal(encodeHistogram(merged.metrics.all), encodeHistogram(whole.metrics.all));
  assert.equal(encodeHistogram(merged.metrics.iterations), encodeHistogram(whole.metrics.iterations));
  for (const p of [50, 90, 99, 99.9, 100]) assert.equal(merged.metrics.all.getValueAtPercentile(p), whole.metrics.all.getValueAtPercentile(p));
  assert.equal(merged.metrics.all.totalCount, 10_000);
  assert.equal(merged.metrics.bytesDown, 150);
  assert.equal(merged.metrics.errors.get('421')?.count, 2);
  assert.deepEqual(merged.metrics.errors.get('421')?.examples.map((e) => e.message), ['x', 'y']);
  assert.equal(durationMs(merged), 21_000, 'the span from the first start to the last end');
  assert.equal(merged.meta.runs, 2);
  assert.deepEqual(merged.meta.model, { kind: 'closed', clients: 10 });
  // rates come from the merged counts over the span, not from averaged rates
  assert.equal(thresholdView(merged).countStat(null, 'rate'), 10_000 / 21);
  const outcomes = evaluateThresholds([parseThreshold('errors==0'), parseThreshold('login.count==5000')], thresholdView(merged));
  assert.deepEqual(outcomes.map((o) => o.passed), [false, true]);
});

test('a result survives JSON exactly; a foreign file is refused with its name', () => {
  const result = resultOf({ RETR: samples(9, 500) }, 10, 5010);
  const back = roundTrip(result);
  assert.equal(encodeHistogram(back.metrics.op('RETR').histogram), encodeHistogram(result.metrics.op('RETR').histogram));
  assert.equal(back.metrics.timeline.length, result.metrics.timeline.length);
  assert.throws(() => resultFromJson({ format: 'k6' }, 'x.json'), /x\.json: not an ftp-check stress result/);
  assert.throws(() => resultFromJson([], 'y.json'), /y\.json/);
});
