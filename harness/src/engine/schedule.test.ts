import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedWeight, longestFirst } from './schedule.ts';
import type { LoadedCase, Step } from '../spec/types.ts';

function spec(id: string, steps: Step[], timeoutMs?: number): LoadedCase {
  return { id, suite: 'demo', title: id, severity: 'minor', references: [], warning: '', steps, file: 'demo.yaml', line: 1, ...(timeoutMs ? { timeoutMs } : {}) };
}

test('a raised timeout and sleeps make a case heavier; repeats multiply, parallel branches take the longest', () => {
  assert.equal(expectedWeight(spec('a', [{ send: 'NOOP' }])), 0);
  assert.equal(expectedWeight(spec('b', [{ sleep: 300 }, { sleep: '${limits.dataTimeoutSeconds}*1000' }])), 5300);
  assert.equal(expectedWeight(spec('c', [{ repeat: { times: 3, steps: [{ sleep: 100 }] } }])), 300);
  assert.equal(expectedWeight(spec('d', [{ parallel: [{ session: 'x', steps: [{ sleep: 1000 }] }, { session: 'y', steps: [{ sleep: 400 }] }] }])), 1000);
  assert.equal(expectedWeight(spec('e', [], 120_000)), 120_000);
});

test('longest first, equal weights in their declared order, nothing lost', () => {
  const cases = [spec('short-1', []), spec('sleeps', [{ sleep: 500 }]), spec('short-2', []), spec('long', [], 60_000), spec('short-3', [])];
  assert.deepEqual(longestFirst(cases).map((c) => c.id), ['long', 'sleeps', 'short-1', 'short-2', 'short-3']);
});
