/**
 * Keeps a run within the target's declared connection limits. Each case takes
 * as many slots as it can have sessions open (its named sessions, plus one for
 * the cleanup of its scratch folders), all at once or not at all, first come
 * first served. Without it, `--jobs 8` against a server that allows 12
 * sessions per user fails cases with 421 replies that are the harness's doing.
 */
import type { SpecCase, Step } from '../spec/types.ts';
import type { TargetLimits } from '../target/profile.ts';

/** Sessions a server may still count for a moment after the harness closed them. */
const CLOSING_MARGIN = 2;

/** How many sessions of the target's account may be open at once, or null when it declares no limit. */
export function sessionBudget(limits: TargetLimits): number | null {
  const declared = [limits.maxPerUser, limits.maxConnections].filter((limit): limit is number => limit !== undefined);
  if (declared.length === 0) return null;
  return Math.max(1, Math.min(...declared) - CLOSING_MARGIN);
}

/** The sessions a case can have open at once: its distinct session names, plus the cleanup session. */
export function sessionsOf(spec: SpecCase): number {
  const names = new Set<string>();
  const walk = (steps: Step[], session: string) => {
    for (const step of steps) {
      if ('parallel' in step) for (const branch of step.parallel) walk(branch.steps, branch.session);
      else if ('repeat' in step) walk(step.repeat.steps, session);
      else names.add(('session' in step && typeof step.session === 'string' ? step.session : undefined) ?? session);
    }
  };
  walk([...spec.steps, ...(spec.cleanup ?? [])], 'main');
  return names.size + 1;
}

export class SessionBudget {
  private used = 0;
  private readonly waiting: { need: number; start: () => void }[] = [];

  constructor(private size: number) {}

  /** The target refused sessions past `size`: later cases wait for slots within it (running ones keep theirs). */
  shrinkTo(size: number): void {
    this.size = Math.max(1, Math.min(this.size, size));
  }

  /** Runs `work` once `need` slots are free (a need past the size takes them all). */
  async run<T>(need: number, work: () => Promise<T>): Promise<T> {
    const slots = Math.min(need, this.size);
    if (this.waiting.length > 0 || this.used + slots > this.size) await new Promise<void>((start) => this.waiting.push({ need: slots, start }));
    else this.used += slots;
    try {
      return await work();
    } finally {
      this.used -= slots;
      this.wakeWaiting();
    }
  }

  private wakeWaiting(): void {
    for (let next = this.waiting[0]; next && this.used + next.need <= this.size; next = this.waiting[0]) {
      this.waiting.shift();
      this.used += next.need;
      next.start();
    }
  }
}
