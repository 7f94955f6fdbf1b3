import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaseResult } from '../engine/results.ts';
import { safeEvent } from './safe-event.ts';

const hostile = '550 \x1b]0;owned\x07\x00\r\uFFFF';

test('every piece of server text in an event reaches reporters escaped', () => {
  const result: CaseResult = {
    info: { id: 'x.y', suite: 'x', title: 't', severity: 'major', level: 'must', references: [], warning: 'w', file: 'f' },
    status: 'failed',
    durationMs: 1,
    failure: { step: `step 1: raw ${hostile}`, expected: ['226'], actual: hostile, detail: hostile, observed: 'reply', reply: { code: 550, text: hostile } },
    reason: hostile,
    message: hostile,
    transcript: [{ atMs: 0, direction: 'received', channel: 'control', text: hostile }],
  };
  const event = safeEvent({ type: 'run-end', summary: { passed: 0, failed: 1, skipped: 0, expectedFailures: 0, warned: 0, notChecked: 0, durationMs: 1, target: hostile, notices: [hostile] }, results: [result] });
  const strings: string[] = [];
  JSON.stringify(event, (_key, value: unknown) => (typeof value === 'string' ? (strings.push(value), value) : value));
  for (const value of strings) assert.doesNotMatch(value, /[\x00-\x09\x0b-\x1f\x7f-\x9f\uffff]/, `raw control characters left in ${JSON.stringify(value)}`);
  assert.ok(event.type === 'run-end');
  assert.equal(event.results[0]?.failure?.actual, '550 \\x1b]0;owned\\x07\\x00\\r\\u{ffff}');
  assert.equal(event.summary.target, '550 \\x1b]0;owned\\x07\\x00\\r\\u{ffff}');
  const start = safeEvent({ type: 'run-start', target: 't', cases: [], capabilities: ['EVIL\x1b[5m'], startedAt: 0 });
  assert.ok(start.type === 'run-start' && start.capabilities[0] === 'EVIL\\x1b[5m');
});
