/**
 * Runs a stress load and emits events (autocannon's shape): `start`, `tick` once a
 * second, `warning` the first time the server shows a kind of trouble, `done` with
 * the result. It prints nothing: the progress line and the final table only listen.
 *
 * Timeline: setup (not measured) | warm-up (run, not counted) | measured part
 * (--duration, or until --amount iterations) | drain (in-flight iterations finish,
 * bounded) | release and teardown (not measured). Every stage is bounded in time.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Account } from '../target/profile.ts';
import { MAX_RUN_MS, transferTimeoutMs, type StressOptions } from './options.ts';
import { Metrics, micros, type ErrorKind } from './metrics.ts';
import type { StressResult } from './result.ts';
import { runClosed, runOpen, StopSignal, Tickets, type LoadWindow, type Start } from './scheduler.ts';
import { StressFailure, type OpRecorder } from './session.ts';
import { newWorker, type Scenario, type ScenarioEnv, type Worker } from './scenarios.ts';

export interface TickEvent {
  /** Since the load began (warm-up included). */
  elapsedMs: number;
  phase: 'warmup' | 'measure' | 'drain';
  /** 0..1 of the planned run (time, or --amount). */
  progress: number;
  iterations: number;
  ops: number;
  errors: number;
  /** Operations completed during the last second. */
  opsLastSecond: number;
  inFlight: number;
  bytesDown: number;
  bytesUp: number;
  /** p99 of every operation so far, ms; null before the first. */
  p99Ms: number | null;
}

export interface StressEvents {
  start: [{ scenario: string; target: string; options: StressOptions }];
  tick: [TickEvent];
  warning: [string];
  done: [StressResult];
}

export interface RunnerPlan {
  options: StressOptions;
  scenario: Scenario;
  env: ScenarioEnv;
  /** Accounts clients log in as, in turn; empty when the scenario needs none. */
  accounts: Account[];
  target: string;
  /** Global number of this shard's first client. */
  firstClient: number;
}

/** After the measured part, in-flight iterations get this long beyond one transfer's limit. */
const DRAIN_EXTRA_MS = 2000;
const LIVE_WARNINGS: Partial<Record<ErrorKind, string>> = {
  '421': 'the server answers 421 (service not available / too many connections): it is refusing load',
  reset: 'connections are being reset by the server',
  refused: 'connections are refused: the server is not accepting more',
  timeout: 'operations time out: the server stops answering under this load',
  corrupt: 'CORRUPT DATA: a transfer did not carry the bytes expected',
};

export class StressRunner extends EventEmitter<StressEvents> {
  private readonly metrics = new Metrics();
  private readonly stopSignal = new StopSignal();
  private readonly workers: Worker[] = [];
  private readonly warned = new Set<ErrorKind>();
  private inFlight = 0;
  private recording = true;
  private measuredStart = 0;
  private lastEnd = 0;
  private tickets = new Tickets(null);

  constructor(private readonly plan: RunnerPlan) {
    super();
  }

  /** Ends the load early (e.g. Ctrl-C): no new iterations; the run drains and reports. */
  stop(): void {
    this.stopSignal.stop();
  }

  async run(): Promise<StressResult> {
    const { options, scenario, env } = this.plan;
    this.emit('start', { scenario: scenario.name, target: this.plan.target, options });
    await scenario.setup(env);
    const t0 = performance.now();
    const epoch0 = Date.now();
    this.measuredStart = t0 + options.warmupMs;
    const deadline = this.measuredStart + (options.durationMs ?? MAX_RUN_MS);
    const planned = deadline - t0;
    this.tickets = new Tickets(options.amount);
    let phase: TickEvent['phase'] = options.warmupMs > 0 ? 'warmup' : 'measure';
    let lastOps = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      if (phase === 'warmup' && now >= this.measuredStart) phase = 'measure';
      if (this.stopSignal.isStopped) phase = 'drain';
      const ops = this.metrics.all.totalCount;
      const byTime = Math.min(1, (now - t0) / planned);
      const byAmount = this.tickets.progress();
      this.emit('tick', {
        elapsedMs: now - t0,
        phase,
        progress: byAmount === null ? byTime : Math.max(byTime, byAmount),
        iterations: this.metrics.iterations.totalCount,
        ops,
        errors: this.metrics.totalErrors(),
        opsLastSecond: ops - lastOps,
        inFlight: this.inFlight,
        bytesDown: this.metrics.bytesDown,
        bytesUp: this.metrics.bytesUp,
        p99Ms: ops > 0 ? this.metrics.all.getValueAtPercentile(99) / 1000 : null,
      });
      lastOps = ops;
    }, 1000);
    const stopAtDeadline = setTimeout(() => this.stopSignal.stop(), Math.max(0, deadline - performance.now()));
    // Whatever a scenario does, the run ends: past this, sessions are cut and nothing more is counted.
    const hardStop = setTimeout(() => {
      this.recording = false;
      for (const worker of this.workers) worker.session?.drop();
    }, Math.max(0, deadline - performance.now()) + transferTimeoutMs(options) + DRAIN_EXTRA_MS);
    let stoppedAt = 0;
    const window: LoadWindow = { rampMs: options.rampMs, t0, measuredStart: this.measuredStart, deadline, tickets: this.tickets, stop: this.stopSignal };
    try {
      if (options.model.kind === 'closed') {
        const firstClient = this.plan.firstClient;
        const clients = Array.from({ length: options.model.clients }, (_, i) => this.addWorker(firstClient + i));
        await runClosed({
          ...window,
          clients: clients.length,
          iterate: (index, start) => this.iterate(clients[index] as Worker, start),
          done: async (index) => {
            stoppedAt ||= performance.now();
            await this.drainAndRelease([clients[index] as Worker], []);
          },
        });
      } else {
        const idle: Worker[] = [];
        let created = 0;
        const inFlight = await runOpen({
          ...window,
          rate: options.model.rate,
          maxInFlight: options.model.maxInFlight,
          iterate: async (start) => {
            const worker = (scenario.shape === 'operation' ? idle.pop() : undefined) ?? this.addWorker(this.plan.firstClient + created++);
            await this.iterate(worker, start);
            if (scenario.shape === 'operation') idle.push(worker);
            else this.forget(worker);
          },
          dropped: () => {
            this.metrics.dropped += 1;
          },
          late: () => {
            this.metrics.late += 1;
          },
        });
        stoppedAt = performance.now();
        await this.drainAndRelease(this.workers, [...inFlight]);
      }
    } finally {
      clearInterval(ticker);
      clearTimeout(stopAtDeadline);
      clearTimeout(hardStop);
      this.stopSignal.stop();
    }
    this.recording = false;
    const endedPerf = Math.max(stoppedAt || performance.now(), this.lastEnd);
    await scenario.teardown(env, this.workers);
    const result: StressResult = {
      meta: {
        scenario: scenario.name,
        target: this.plan.target,
        model: options.model,
        shard: options.shard,
        startedAt: epoch0 + (this.measuredStart - t0),
        endedAt: epoch0 + (Math.max(endedPerf, this.measuredStart + 1) - t0),
        warmupMs: options.warmupMs,
        runs: 1,
      },
      metrics: this.metrics,
    };
    this.emit('done', result);
    return result;
  }

  private addWorker(id: number): Worker {
    const accounts = this.plan.accounts;
    const account = accounts.length > 0 ? (accounts[id % accounts.length] as Account) : null;
    const worker = newWorker(id, account);
    this.workers.push(worker);
    return worker;
  }

  /** A finished session-shaped worker is let go, unless it made a folder teardown must remove. */
  private forget(worker: Worker): void {
    if (worker.folder !== null) return;
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
  }

  /** Waits for running iterations (bounded), then ends the workers' sessions. */
  private async drainAndRelease(workers: Worker[], running: Promise<void>[]): Promise<void> {
    if (running.length > 0) {
      const grace = transferTimeoutMs(this.plan.options) + DRAIN_EXTRA_MS;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(running), new Promise((resolve) => (timer = setTimeout(resolve, grace)))]);
      clearTimeout(timer);
      if (this.inFlight > 0) {
        this.recording = false; // what ends now ends because we cut it, not because of the server
        for (const worker of workers) await worker.session?.close();
      }
    }
    await Promise.all(workers.map((worker) => this.plan.scenario.release(worker)));
  }

  private async iterate(worker: Worker, start: Start): Promise<void> {
    this.inFlight += 1;
    const recorder = this.recorderFor(start);
    try {
      await this.plan.scenario.iterate(worker, recorder);
      if (start.measured && this.recording) {
        const end = performance.now();
        this.metrics.recordIteration(micros(end - (start.scheduledAt ?? start.startedAt)));
        this.lastEnd = Math.max(this.lastEnd, end);
      }
    } catch (error) {
      if (start.measured && this.recording) {
        this.metrics.iterationsFailed += 1;
        if (!(error instanceof StressFailure)) {
          // A bug in ftp-check, not the target's fault: still counted, and said so.
          const failure = new StressFailure('iteration', 'other', 'internal error (a bug in ftp-check)', error instanceof Error ? (error.stack ?? error.message) : String(error));
          recorder.failure(failure, []);
        }
      }
      // A session in an unknown state is not reused.
      if (!(error instanceof StressFailure) || (error.kind !== 'reply' && error.kind !== 'corrupt') || worker.session?.isClosed()) {
        const session = worker.session;
        worker.session = null;
        session?.drop();
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  private recorderFor(start: Start): OpRecorder {
    let first = true;
    const metrics = this.metrics;
    const counted = (): boolean => start.measured && this.recording;
    return {
      success: (op, startMs, endMs) => {
        // Open model: the first operation of an iteration counts from when it was due (wrk2's correction).
        const from = first && start.scheduledAt !== null ? Math.min(startMs, start.scheduledAt) : startMs;
        first = false;
        if (!counted()) return;
        metrics.recordOp(op, micros(endMs - from), endMs - this.measuredStart);
        this.lastEnd = Math.max(this.lastEnd, endMs);
      },
      failure: (failure, transcript) => {
        first = false;
        if (!counted()) return;
        const atMs = performance.now() - this.measuredStart;
        metrics.recordError(failure.op, failure.key, failure.kind, { op: failure.op, message: failure.message, atMs: Math.round(atMs), transcript });
        const words = LIVE_WARNINGS[failure.kind];
        if (words && !this.warned.has(failure.kind)) {
          this.warned.add(failure.kind);
          this.emit('warning', `${words} (first at ${(atMs / 1000).toFixed(1)} s: ${failure.message})`);
        }
      },
      bytes: (down, up) => {
        if (!counted()) return;
        metrics.bytesDown += down;
        metrics.bytesUp += up;
      },
      verified: () => {
        if (counted()) metrics.verified += 1;
      },
      sessionOpened: () => {
        if (counted()) metrics.sessions += 1;
      },
    };
  }
}
