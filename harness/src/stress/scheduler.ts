/**
 * When iterations start. Pure functions (the schedules) and the two load models:
 *  - closed (`--clients N`): N clients, each starting its next iteration when the
 *    last one ends; a slow server slows the load down (what most tools do);
 *  - open (`--rate R`): iteration k starts at its scheduled time whatever the
 *    server does, as wrk2 and k6's arrival-rate executors do; latency counts from
 *    the scheduled time (coordinated omission corrected), and starts that cannot be
 *    made because --max-in-flight iterations are still running are dropped and counted.
 * Both stop by themselves: at the deadline, when --amount is used up, or on stop().
 */
import { performance } from 'node:perf_hooks';

/** A start this much past its scheduled time counts as late. */
export const LATE_MS = 10;
/** Open model: at most this many starts in one turn of the event loop, so the loop never starves I/O. */
const MAX_STARTS_PER_TURN = 256;

/**
 * Milliseconds from the start at which arrival k (0-based) is due, at `rate` per
 * second, the rate rising linearly from 0 over `rampMs`: A(t) = r t^2 / 2T during
 * the ramp, then r T / 2 + r (t - T).
 */
export function arrivalTimeMs(k: number, rate: number, rampMs: number): number {
  const perMs = rate / 1000;
  const duringRamp = (perMs * rampMs) / 2;
  if (rampMs > 0 && k < duringRamp) return Math.sqrt((2 * rampMs * k) / perMs);
  return rampMs + (k - duringRamp) / perMs;
}

/** Closed model: client `index` of `clients` starts after this many ms (evenly over the ramp). */
export function clientStartMs(index: number, clients: number, rampMs: number): number {
  return clients <= 1 ? 0 : (rampMs * index) / clients;
}

/** Counts measured iterations against --amount. */
export class Tickets {
  private used = 0;
  constructor(private readonly amount: number | null) {}
  take(): boolean {
    if (this.amount !== null && this.used >= this.amount) return false;
    this.used += 1;
    return true;
  }
  /** 0..1 of --amount used; null without --amount. */
  progress(): number | null {
    return this.amount === null ? null : this.used / Math.max(1, this.amount);
  }
}

/** A stop signal that sleeps can wait on. */
export class StopSignal {
  private stopped = false;
  private readonly waiters = new Set<() => void>();
  get isStopped(): boolean {
    return this.stopped;
  }
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }
  /** Sleeps `ms`, or less if stopped meanwhile. */
  sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }
}

export interface Start {
  /** performance.now() time the iteration was due (open model), or null (closed). */
  scheduledAt: number | null;
  startedAt: number;
  measured: boolean;
}

/** When a run starts, measures and ends, and what may stop it early; shared by both load models. */
export interface LoadWindow {
  rampMs: number;
  /** performance.now() times. */
  t0: number;
  measuredStart: number;
  deadline: number;
  tickets: Tickets;
  stop: StopSignal;
}

export interface ClosedLoadOptions extends LoadWindow {
  clients: number;
  /** Runs one iteration of client `index`; never rejects. */
  iterate(index: number, start: Start): Promise<void>;
  /** A client is done (after its last iteration). */
  done(index: number): Promise<void>;
}

export async function runClosed(options: ClosedLoadOptions): Promise<void> {
  const { stop, tickets } = options;
  const client = async (index: number): Promise<void> => {
    await stop.sleep(options.t0 + clientStartMs(index, options.clients, options.rampMs) - performance.now());
    while (!stop.isStopped) {
      const now = performance.now();
      if (now >= options.deadline) break;
      const measured = now >= options.measuredStart;
      if (measured && !tickets.take()) {
        stop.stop();
        break;
      }
      await options.iterate(index, { scheduledAt: null, startedAt: now, measured });
    }
    await options.done(index);
  };
  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
}

export interface OpenLoadOptions extends LoadWindow {
  rate: number;
  maxInFlight: number;
  /** Starts one iteration; the promise ends with it and never rejects. */
  iterate(start: Start): Promise<void>;
  /** A measured start not made: every slot was busy. */
  dropped(): void;
  late(): void;
}

/** Runs the schedule; resolves once no more starts are due (in-flight iterations may still run). */
export async function runOpen(options: OpenLoadOptions): Promise<Set<Promise<void>>> {
  const { stop, tickets } = options;
  const inFlight = new Set<Promise<void>>();
  let k = 0;
  while (!stop.isStopped) {
    const due = options.t0 + arrivalTimeMs(k, options.rate, options.rampMs);
    if (due >= options.deadline) break;
    const now = performance.now();
    if (due > now) {
      await stop.sleep(due - now);
      continue;
    }
    let started = 0;
    for (; started < MAX_STARTS_PER_TURN && !stop.isStopped; started++) {
      const at = options.t0 + arrivalTimeMs(k, options.rate, options.rampMs);
      if (at > now || at >= options.deadline) break;
      k += 1;
      const measured = at >= options.measuredStart;
      if (measured && !tickets.take()) {
        stop.stop();
        break;
      }
      if (inFlight.size >= options.maxInFlight) {
        if (measured) options.dropped();
        continue;
      }
      if (measured && now - at > LATE_MS) options.late();
      const running: Promise<void> = options.iterate({ scheduledAt: at, startedAt: now, measured }).finally(() => inFlight.delete(running));
      inFlight.add(running);
    }
    // Yield to I/O between batches, even when behind schedule.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return inFlight;
}
