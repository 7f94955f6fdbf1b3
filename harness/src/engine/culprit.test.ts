/** Which case met a dying target while idle (culprit.ts): read from its transcript. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closedWhileIdle } from './culprit.ts';
import type { CaseResult } from './results.ts';
import type { TranscriptEntry } from '../wire/transcript.ts';

function result(observed: 'closed' | 'reply' | 'timeout', lines: [TranscriptEntry['direction'], string][]): CaseResult {
  return {
    info: { id: 'x' } as CaseResult['info'],
    status: 'failed',
    durationMs: 1,
    failure: { step: 'step 3: send NOOP', expected: ['reply 200'], actual: 'the connection closed', observed },
    transcript: lines.map(([direction, text], index) => ({ atMs: index, direction, channel: 'main', text })),
  };
}

test('a connection the target closed after its last reply, before the next command: idle, not a culprit', () => {
  const idle = result('closed', [['received', '220 Ready'], ['sent', 'NOOP'], ['received', '200 Ok'], ['note', 'closed: by the server'], ['sent', 'NOOP']]);
  assert.equal(closedWhileIdle(idle), true);
});

test('closed while a command waited for its reply, or mid-transfer after a 150: it may be the culprit', () => {
  assert.equal(closedWhileIdle(result('closed', [['received', '220 Ready'], ['sent', 'SITE CRASH'], ['note', 'closed: by the server']])), false);
  assert.equal(closedWhileIdle(result('closed', [['sent', 'RETR big.bin'], ['received', '150 Opening'], ['note', 'closed: by the server']])), false);
  assert.equal(closedWhileIdle(result('closed', [['sent', 'FEAT'], ['received', '211-Features:'], ['note', 'closed: by the server']])), false);
});

test('a wrong reply or a silence is the case\'s own finding, whatever came after', () => {
  assert.equal(closedWhileIdle(result('reply', [['sent', 'NOOP'], ['received', '200 Ok'], ['note', 'closed: by the server']])), false);
  assert.equal(closedWhileIdle(result('timeout', [['sent', 'NOOP'], ['received', '200 Ok'], ['note', 'closed: by the server']])), false);
  assert.equal(closedWhileIdle(result('closed', [['sent', 'NOOP'], ['received', '200 Ok'], ['note', 'closed: closed by the harness']])), false);
});
