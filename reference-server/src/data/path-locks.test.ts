/** PathLocks: one holder per path, waiters in order, an abandoned wait blocks no one. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PathLocks } from './path-locks.ts';

const never = new AbortController().signal;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('PathLocks', () => {
  test('holders of one path take turns in the order they asked; other paths do not wait', async () => {
    const locks = new PathLocks();
    const order: string[] = [];
    const first = await locks.acquire('/a', never);
    const second = locks.acquire('/a', never).then((release) => (order.push('second'), release));
    const third = locks.acquire('/a', never).then((release) => (order.push('third'), release));
    const other = await locks.acquire('/b', never);
    order.push('other');
    await tick();
    assert.deepEqual(order, ['other'], 'nobody got /a while its first holder had it');
    first();
    (await second)();
    (await third)();
    assert.deepEqual(order, ['other', 'second', 'third']);
    other();
  });

  test('a wait that is aborted rejects with the reason, and the one behind it still gets its turn', async () => {
    const locks = new PathLocks();
    const holder = await locks.acquire('/a', never);
    const controller = new AbortController();
    const abandoned = locks.acquire('/a', controller.signal);
    let nextGotIt = false;
    const next = locks.acquire('/a', never).then((release) => ((nextGotIt = true), release));
    controller.abort(new Error('the client sent ABOR'));
    await assert.rejects(abandoned, /the client sent ABOR/);
    await tick();
    assert.equal(nextGotIt, false, 'the one behind must still wait for the holder');
    holder();
    (await next)();
    assert.equal(nextGotIt, true);
  });

  test('an already aborted signal rejects at once; a released path is free again', async () => {
    const locks = new PathLocks();
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await assert.rejects(locks.acquire('/a', controller.signal), /gone/);
    const release = await locks.acquire('/a', never);
    release();
    (await locks.acquire('/a', never))();
  });
});
