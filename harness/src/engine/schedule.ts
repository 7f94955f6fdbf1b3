/**
 * The order in which the cases that share the target are started. A run ends
 * when its slowest case ends, so a long case started last stretches the whole
 * run while the other job slots sit idle; started first, it overlaps with the
 * many short cases. Which cases are long is read from the spec itself: the
 * author raised the case's timeout, or the case sleeps (waiting out a server's
 * timer, pacing a slow reader). The order changes nothing a case checks: these
 * cases already run concurrently, in any interleaving; `alone` cases are not
 * reordered here (the runner keeps them one by one, after the others).
 */
import type { LoadedCase, Step } from '../spec/types.ts';

/** A sleep whose length is an expression (e.g. from the target's limits) counts as this many ms. */
const UNKNOWN_SLEEP_MS = 5_000;

function sleepMs(steps: readonly Step[] | undefined): number {
  let total = 0;
  for (const step of steps ?? []) {
    if ('sleep' in step) {
      const ms = Number(step.sleep);
      total += Number.isFinite(ms) ? ms : UNKNOWN_SLEEP_MS;
    } else if ('repeat' in step) {
      const times = Number(step.repeat.times);
      total += (Number.isFinite(times) ? times : 1) * sleepMs(step.repeat.steps);
    } else if ('parallel' in step) {
      // Branches run at once: the longest one counts.
      total += Math.max(0, ...step.parallel.map((branch) => sleepMs(branch.steps)));
    }
  }
  return total;
}

/** How long a case is expected to take, relative to the others (not a prediction in ms). */
export function expectedWeight(spec: LoadedCase): number {
  return (spec.timeoutMs ?? 0) + sleepMs(spec.steps) + sleepMs(spec.cleanup);
}

/** The cases, those expected to be longest first; equal ones keep their declared order. */
export function longestFirst(cases: readonly LoadedCase[]): LoadedCase[] {
  return cases
    .map((spec, index) => ({ spec, index, weight: expectedWeight(spec) }))
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map(({ spec }) => spec);
}
