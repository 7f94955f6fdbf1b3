import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectedWeight, longestFirst, runInOrder, runShared } from './schedule.ts';
import type { LoadedCase, Step } from '../spec/types.ts';

function spec(id: string, steps: Step[], timeoutMs?: number, extra: Partial<LoadedCase> = {}): LoadedCase {
  return { id, suite: 'demo', title: id, severity: 'minor', references: [], warning: '', steps, file: 'demo.yaml', line: 1, ...(timeoutMs ? { timeoutMs } : {}), ...extra };
}

/** Work that records when each case starts and ends, and finishes when the test lets it. */
function recorder() {
  const log: string[] = [];
  const release = new Map<string, () => void>();
  const started = new Map<string, () => void>();
  const startedPromises = new Map<string, Promise<void>>();
  const hasStarted = (id: string) => {
    if (!startedPromises.has(id)) startedPromises.set(id, new Promise<void>((resolve) => started.set(id, resolve)));
    return startedPromises.get(id)!;
  };
  const work = async (c: LoadedCase) => {
    log.push(`start ${c.id}`);
    void hasStarted(c.id);
    started.get(c.id)!();
    await new Promise<void>((resolve) => release.set(c.id, resolve));
    log.push(`end ${c.id}`);
  };
  /** Waits until `id` has started, then lets it finish. */
  const finish = async (id: string) => {
    await hasStarted(id);
    release.get(id)!();
  };
  return { log, work, finish, hasStarted };
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

test('an exclusive group first among equals, then the declared order', () => {
  const cases = [spec('a', []), spec('q1', [], undefined, { exclusive: 'quota' }), spec('long', [], 60_000), spec('q2', [], undefined, { exclusive: 'quota' })];
  assert.deepEqual(longestFirst(cases).map((c) => c.id), ['long', 'q1', 'q2', 'a']);
});

test('cases of one exclusive name never overlap; the next case in order takes the slot meanwhile', async () => {
  const cases = [spec('q1', [], undefined, { exclusive: 'quota' }), spec('q2', [], undefined, { exclusive: 'quota' }), spec('a', []), spec('b', [])];
  const { log, work, finish } = recorder();
  const done = runInOrder(cases, 2, work);
  await finish('a'); // q1 and a started; q2 was passed over for a
  await finish('b'); // b took a's slot, still not q2
  await finish('q1');
  await finish('q2');
  await done;
  assert.deepEqual(log, ['start q1', 'start a', 'end a', 'start b', 'end b', 'end q1', 'start q2', 'end q2']);
});

test('a case that waits takes no job slot: with one slot, it runs beside the others', async () => {
  const cases = [spec('short', []), spec('sleeper', [{ sleep: 5000 }], undefined, { waits: true }), spec('next', [])];
  const { log, work, finish, hasStarted } = recorder();
  const done = runShared(cases, 1, work);
  await hasStarted('sleeper');
  await finish('short');
  await finish('next');
  await finish('sleeper');
  await done;
  assert.deepEqual(log, ['start sleeper', 'start short', 'end short', 'start next', 'end next', 'end sleeper']);
});

test('a waiting case that is also exclusive keeps to its group: it does not start beside a case of its name', async () => {
  const cases = [spec('q1', [], undefined, { exclusive: 'quota' }), spec('q2-waits', [{ sleep: 5000 }], undefined, { waits: true, exclusive: 'quota' }), spec('a', [])];
  const { log, work, finish } = recorder();
  const done = runShared(cases, 2, work);
  await finish('q2-waits'); // the heavier case goes first; q1 waits for the name
  await finish('a');
  await finish('q1');
  await done;
  assert.deepEqual(log.slice(0, 3), ['start q2-waits', 'start a', 'end q2-waits']);
  assert.ok(log.indexOf('start q1') > log.indexOf('end q2-waits'), log.join(', '));
});
