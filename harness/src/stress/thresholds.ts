/**
 * `--threshold` pass/fail criteria, k6-style: `p99<250ms`, `errors==0`,
 * `rate>100`, per operation `login.p99<100ms`, `RETR.error_rate<1%`. The parser is
 * pure; a malformed threshold is a UsageError (exit 2). Evaluation reads a result
 * through a small view, so a single run and a merged set of shards are judged alike.
 */
import { UsageError } from '../cli/run-command.ts';

export const LATENCY_STATS = ['min', 'mean', 'p50', 'p75', 'p90', 'p95', 'p99', 'p99.9', 'max'] as const;
export type LatencyStat = (typeof LATENCY_STATS)[number];
/** Metrics an operation has (and the whole run has, over all operations). */
export const COUNT_STATS = ['count', 'errors', 'error_rate', 'rate'] as const;
/** Metrics only the whole run has. */
export const RUN_STATS = ['iterations', 'session_rate', 'corrupt', 'dropped', 'late', 'down_mbps', 'up_mbps'] as const;
type CountStat = (typeof COUNT_STATS)[number];
type RunStat = (typeof RUN_STATS)[number];
export type Stat = LatencyStat | CountStat | RunStat;

export type Comparison = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Threshold {
  /** As written, for reports. */
  text: string;
  /** An operation name (`login`, `RETR`, `iteration`), or null for the whole run. */
  op: string | null;
  stat: Stat;
  comparison: Comparison;
  /** Milliseconds for latency stats; a share (0..1) for error_rate; else the plain number. */
  value: number;
}

export interface ThresholdOutcome {
  threshold: Threshold;
  /** What was measured, in the threshold's unit; null when the run has no such measure. */
  actual: number | null;
  passed: boolean;
}

/** What thresholds read from a result. Latency in milliseconds, null when there were no samples. */
export interface ThresholdView {
  latencyMs(op: string | null, stat: LatencyStat): number | null;
  /** count, errors, error_rate (0..1), rate (per second); null for an operation the run never did. */
  countStat(op: string | null, stat: CountStat): number | null;
  runStat(stat: RunStat): number;
}

const LATENCY_UNITS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, '': 1 };
const PATTERN = /^\s*(?:([A-Za-z][A-Za-z0-9_-]*)\.)?([a-z_]+|p\d+(?:\.\d+)?)\s*(<=|>=|==|!=|<|>)\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|%)?\s*$/;

const isLatency = (stat: string): stat is LatencyStat => (LATENCY_STATS as readonly string[]).includes(stat);
const isCount = (stat: string): stat is CountStat => (COUNT_STATS as readonly string[]).includes(stat);
const isRun = (stat: string): stat is RunStat => (RUN_STATS as readonly string[]).includes(stat);

export function parseThreshold(text: string): Threshold {
  const m = PATTERN.exec(text);
  const known = [...LATENCY_STATS, ...COUNT_STATS, ...RUN_STATS].join(', ');
  if (!m) throw new UsageError(`--threshold "${text}" is not like p99<250ms, errors==0, rate>100 or login.p99<100ms (stats: ${known})`);
  const op = m[1] ?? null;
  const stat = m[2] as string;
  const comparison = m[3] as Comparison;
  const unit = m[5] ?? '';
  let value = Number(m[4]);
  if (isLatency(stat)) {
    if (unit === '%') throw new UsageError(`--threshold "${text}": a latency takes us, ms or s, not %`);
    value *= LATENCY_UNITS[unit] as number;
  } else if (stat === 'error_rate') {
    if (unit !== '' && unit !== '%') throw new UsageError(`--threshold "${text}": error_rate is a share (0.01) or a percentage (1%)`);
    if (unit === '%') value /= 100;
  } else if (isCount(stat) || isRun(stat)) {
    if (unit !== '') throw new UsageError(`--threshold "${text}": ${stat} takes a plain number, no unit`);
    if (isRun(stat) && op !== null) throw new UsageError(`--threshold "${text}": ${stat} is for the whole run, not one operation`);
  } else {
    throw new UsageError(`--threshold "${text}": unknown measure "${stat}" (known: ${known})`);
  }
  return { text: text.trim(), op, stat: stat as Stat, comparison, value };
}

function compare(actual: number, comparison: Comparison, value: number): boolean {
  switch (comparison) {
    case '<': return actual < value;
    case '<=': return actual <= value;
    case '>': return actual > value;
    case '>=': return actual >= value;
    case '==': return actual === value;
    case '!=': return actual !== value;
  }
}

/** A measure the run does not have (an operation it never did) fails the threshold: it cannot be shown to hold. */
export function evaluateThresholds(thresholds: readonly Threshold[], view: ThresholdView): ThresholdOutcome[] {
  return thresholds.map((threshold) => {
    const { op, stat } = threshold;
    let actual: number | null;
    if (isLatency(stat)) actual = view.latencyMs(op, stat);
    else if (isCount(stat)) actual = view.countStat(op, stat);
    else actual = view.runStat(stat as RunStat);
    return { threshold, actual, passed: actual !== null && compare(actual, threshold.comparison, threshold.value) };
  });
}

/** `p99<250ms: 12.31 ms ✓`-style words for one outcome. */
export function describeOutcome(outcome: ThresholdOutcome): string {
  const { threshold, actual } = outcome;
  let shown: string;
  if (actual === null) shown = threshold.op ? `no "${threshold.op}" samples in this run` : 'no samples';
  else if (isLatency(threshold.stat)) shown = `${actual.toFixed(2)} ms`;
  else if (threshold.stat === 'error_rate') shown = `${(actual * 100).toFixed(3)}%`;
  else shown = Number.isInteger(actual) ? String(actual) : actual.toFixed(2);
  return `${outcome.passed ? 'pass' : 'FAIL'}  ${threshold.text.padEnd(24)} measured ${shown}`;
}
