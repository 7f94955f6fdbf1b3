import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../cli/run-command.ts';
import { evaluateThresholds, parseThreshold, type ThresholdView } from './thresholds.ts';

test('thresholds parse as written, units converted to ms and shares', () => {
  assert.deepEqual(parseThreshold('p99<250ms'), { text: 'p99<250ms', op: null, stat: 'p99', comparison: '<', value: 250 });
  assert.deepEqual(parseThreshold('errors==0'), { text: 'errors==0', op: null, stat: 'errors', comparison: '==', value: 0 });
  assert.deepEqual(parseThreshold('rate>100'), { text: 'rate>100', op: null, stat: 'rate', comparison: '>', value: 100 });
  assert.deepEqual(parseThreshold('login.p99<100ms'), { text: 'login.p99<100ms', op: 'login', stat: 'p99', comparison: '<', value: 100 });
  assert.equal(parseThreshold('p99.9 <= 1.5s').value, 1500);
  assert.equal(parseThreshold('p50<800us').value, 0.8);
  assert.equal(parseThreshold('RETR.error_rate<1%').value, 0.01);
  assert.equal(parseThreshold('max<2').value, 2, 'a bare latency is in ms');
});

test('a malformed threshold is a usage error', () => {
  for (const bad of ['p99', 'p99<', '<250ms', 'p99<250furlongs', 'speed>3', 'errors==0ms', 'login.dropped==0', 'p99%<3', 'p42<1ms', 'rate>1%']) {
    assert.throws(() => parseThreshold(bad), UsageError, bad);
  }
});

const view: ThresholdView = {
  latencyMs: (op, stat) => (op === 'login' ? (stat === 'p99' ? 120 : 50) : op === null ? (stat === 'p99' ? 240 : 10) : null),
  countStat: (op, stat) => (op === 'never' ? null : ({ count: 1000, errors: 3, error_rate: 0.003, rate: 150 } as const)[stat]),
  runStat: (stat) => (stat === 'corrupt' ? 0 : 7),
};

test('thresholds pass and breach as written', () => {
  const outcomes = evaluateThresholds(['p99<250ms', 'errors==0', 'rate>100', 'login.p99<100ms', 'error_rate<1%', 'corrupt==0', 'never.count>0'].map(parseThreshold), view);
  assert.deepEqual(
    outcomes.map((o) => [o.threshold.text, o.actual, o.passed]),
    [
      ['p99<250ms', 240, true],
      ['errors==0', 3, false],
      ['rate>100', 150, true],
      ['login.p99<100ms', 120, false],
      ['error_rate<1%', 0.003, true],
      ['corrupt==0', 0, true],
      ['never.count>0', null, false],
    ],
  );
});
