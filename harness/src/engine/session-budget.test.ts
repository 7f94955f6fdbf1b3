import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionBudget, sessionBudget, sessionsOf } from './session-budget.ts';
import type { SpecCase } from '../spec/types.ts';

const base = { id: 'x.y', title: 'A case', severity: 'minor' as const, references: ['x'], warning: 'It broke.' };

describe('sessionsOf', () => {
  test('one unnamed session, plus the cleanup', () => {
    assert.equal(sessionsOf({ ...base, steps: [{ login: 'user' }, { send: 'NOOP' }, { set: { a: 1 } }] } as SpecCase), 2);
  });

  test('named sessions, parallel branches and repeats are all counted once each', () => {
    const spec = {
      ...base,
      steps: [
        { login: 'user' },
        { login: 'user2', session: 'other' },
        { parallel: [{ session: 'a', steps: [{ login: 'user' }, { repeat: { times: 3, steps: [{ send: 'NOOP' }, { send: 'PWD', session: 'side' }] } }] }, { session: 'b', steps: [{ login: 'user' }] }] },
        { send: 'NOOP', session: 'other' },
      ],
    } as SpecCase;
    // main, other, a, side, b, and the cleanup session
    assert.equal(sessionsOf(spec), 6);
  });
});

describe('sessionBudget', () => {
  test('the smaller declared limit, less a margin for sessions still closing; none declared: no budget', () => {
    assert.equal(sessionBudget({ maxPerUser: 12, maxConnections: 48 }), 10);
    assert.equal(sessionBudget({ maxConnections: 5 }), 3);
    assert.equal(sessionBudget({ maxPerUser: 1 }), 1);
    assert.equal(sessionBudget({ idleTimeoutSeconds: 8 }), null);
  });
});

describe('SessionBudget', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  test('never more slots in use than its size; a case takes all its slots at once, in order of arrival', async () => {
    const budget = new SessionBudget(5);
    let inUse = 0;
    let most = 0;
    const order: string[] = [];
    const releases = new Map<string, () => void>();
    const start = (name: string, need: number) =>
      budget.run(need, async () => {
        inUse += need;
        most = Math.max(most, inUse);
        order.push(name);
        await new Promise<void>((resolve) => releases.set(name, resolve));
        inUse -= need;
      });
    const runs = [start('a', 3), start('b', 3), start('c', 1)];
    await tick();
    // b needs 3 with 2 free: it waits, and c waits behind it rather than overtaking.
    assert.deepEqual(order, ['a']);
    releases.get('a')?.();
    await tick();
    await tick();
    assert.deepEqual(order, ['a', 'b', 'c']);
    releases.get('b')?.();
    releases.get('c')?.();
    await Promise.all(runs);
    assert.equal(most, 4);
  });

  test('a case that needs more than the whole budget still runs, with every slot', async () => {
    const budget = new SessionBudget(2);
    let ran = false;
    await budget.run(7, async () => {
      ran = true;
    });
    assert.equal(ran, true);
    await budget.run(2, async () => {});
  });

  test('slots come back when the work fails', async () => {
    const budget = new SessionBudget(1);
    await assert.rejects(budget.run(1, async () => Promise.reject(new Error('case crashed'))), /case crashed/);
    await budget.run(1, async () => {});
  });
});
