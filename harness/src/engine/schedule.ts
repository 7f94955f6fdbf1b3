/**
 * The order in which the cases that share the target are started. A run ends
 * when its slowest case ends, so a long case started last stretches the whole
 * run while the other job slots sit idle; started first, it overlaps with the
 * many short cases. Which cases are long is read from the spec itself: the
 * author raised the case's timeout, or the case sleeps (waiting out a server's
 * timer, pacing a slow reader). The order changes nothing a case checks: these
 * cases already run concurrently, in any interleaving; `alone` cases are not
 * reordered here (the runner keeps them one by one, after the others). Cases
 * that name the same `exclusive` state run one at a time, each beside the
 * other cases: a worker passes over a case whose state is taken for the next
 * one in order.
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

/**
 * The cases, those expected to be longest first; among equal ones, those in an
 * `exclusive` group first (the group runs one by one, a long chain in all),
 * else in their declared order.
 */
export function longestFirst(cases: readonly LoadedCase[]): LoadedCase[] {
  const grouped = (spec: LoadedCase) => (spec.exclusive === undefined ? 1 : 0);
  return cases
    .map((spec, index) => ({ spec, index, weight: expectedWeight(spec) }))
    .sort((a, b) => b.weight - a.weight || grouped(a.spec) - grouped(b.spec) || a.index - b.index)
    .map(({ spec }) => spec);
}

/**
 * Runs `work` for each case, at most `slots` at once, taking them in order,
 * except that a case whose `exclusive` name a running case holds waits, and
 * the next case in order goes first. (A lock per name around a job queue
 * would not do: a case that waits for its name either holds a job slot idle
 * or rejoins the queue at its end.)
 */
export async function runInOrder(cases: readonly LoadedCase[], slots: number, work: (spec: LoadedCase) => Promise<void>): Promise<void> {
  const pending = [...cases];
  const held = new Set<string>();
  let wake = () => {};
  let released = new Promise<void>((resolve) => (wake = resolve));
  const worker = async (): Promise<void> => {
    while (pending.length > 0) {
      const index = pending.findIndex((spec) => spec.exclusive === undefined || !held.has(spec.exclusive));
      if (index < 0) {
        await released;
        continue;
      }
      const spec = pending.splice(index, 1)[0]!;
      if (spec.exclusive !== undefined) held.add(spec.exclusive);
      try {
        await work(spec);
      } finally {
        if (spec.exclusive !== undefined) held.delete(spec.exclusive);
        const wakeWaiting = wake;
        released = new Promise<void>((resolve) => (wake = resolve));
        wakeWaiting();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(slots, cases.length)) }, worker));
}

/**
 * The cases that share the target: those that mostly wait (`waits`) all at
 * once, beside the others, which run `slots` at a time, longest first (a slot
 * held by a case that sleeps on a server's timer is a slot lost to the run).
 * A waiting case that is also `exclusive` keeps to its group's turns.
 */
export async function runShared(cases: readonly LoadedCase[], slots: number, work: (spec: LoadedCase) => Promise<void>): Promise<void> {
  const ordered = longestFirst(cases);
  const beside = (spec: LoadedCase) => spec.waits === true && spec.exclusive === undefined;
  await Promise.all([...ordered.filter(beside).map(work), runInOrder(ordered.filter((spec) => !beside(spec)), slots, work)]);
}
