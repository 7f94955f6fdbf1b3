import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { arrivalTimeMs, clientStartMs, runOpen, StopSignal, Tickets } from './scheduler.ts';

test('arrivals: evenly spaced at the rate; a ramp brings the rate up linearly from 0', () => {
  assert.equal(arrivalTimeMs(0, 100, 0), 0);
  assert.equal(arrivalTimeMs(50, 100, 0), 500);
  // ramp of 1 s to 100/s: 50 arrivals during the ramp (the triangle), the 50th at its end
  assert.equal(arrivalTimeMs(50, 100, 1000), 1000);
  assert.ok(Math.abs(arrivalTimeMs(25, 100, 1000) - 1000 * Math.SQRT1_2) < 1e-9, 'half the ramp arrivals come in 71% of its time');
  assert.equal(arrivalTimeMs(150, 100, 1000), 2000);
  let previous = -1;
  for (let k = 0; k < 500; k++) {
    const t = arrivalTimeMs(k, 100, 1000);
    assert.ok(t > previous);
    previous = t;
  }
});

test('closed model: clients start evenly over the ramp', () => {
  assert.deepEqual([0, 1, 2, 3].map((i) => clientStartMs(i, 4, 2000)), [0, 500, 1000, 1500]);
  assert.equal(clientStartMs(0, 1, 2000), 0);
});

test('tickets bound --amount', () => {
  const tickets = new Tickets(3);
  assert.deepEqual([tickets.take(), tickets.take(), tickets.take(), tickets.take()], [true, true, true, false]);
  assert.equal(tickets.progress(), 1);
  assert.equal(new Tickets(null).progress(), null);
});

test('open model: a start that finds every in-flight slot busy is dropped and counted, never queued', async () => {
  const stop = new StopSignal();
  const release: (() => void)[] = [];
  let started = 0;
  let dropped = 0;
  const t0 = performance.now();
  const inFlight = await runOpen({
    rate: 2000,
    maxInFlight: 2,
    rampMs: 0,
    t0,
    measuredStart: t0,
    deadline: t0 + 30,
    tickets: new Tickets(null),
    stop,
    iterate: () => {
      started += 1;
      return new Promise<void>((resolve) => release.push(resolve));
    },
    dropped: () => {
      dropped += 1;
    },
    late: () => {},
  });
  assert.equal(started, 2, 'only two iterations ever ran: both held their slot');
  assert.ok(dropped > 0, 'the other scheduled starts were dropped');
  assert.equal(inFlight.size, 2);
  for (const resolve of release) resolve();
  await Promise.all(inFlight);
});

test('open model stops when --amount is used up', async () => {
  const stop = new StopSignal();
  let started = 0;
  const t0 = performance.now();
  const inFlight = await runOpen({ rate: 5000, maxInFlight: 100, rampMs: 0, t0, measuredStart: t0, deadline: t0 + 60_000, tickets: new Tickets(7), stop, iterate: async () => void (started += 1), dropped: () => {}, late: () => {} });
  await Promise.all(inFlight);
  assert.equal(started, 7);
  assert.ok(stop.isStopped);
});
