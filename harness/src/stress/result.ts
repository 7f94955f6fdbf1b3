/**
 * A stress run's result (what ran, when, and its Metrics), its JSON form, and the
 * exact merge of shards: histograms added (not averaged), counts and bytes summed,
 * the duration the span from the first shard's start to the last one's end.
 * Rates are always derived (count / duration), never stored, so merged rates are right.
 */
import type { LoadModel, Shard } from './options.ts';
import {
  decodeHistogram,
  encodeHistogram,
  Metrics,
  percentileMs,
  type ErrorGroup,
  type ErrorKind,
} from './metrics.ts';
import type { LatencyStat, ThresholdView } from './thresholds.ts';

export const RESULT_FORMAT = 'ftp-check-stress/1';

export interface RunMeta {
  scenario: string;
  target: string;
  model: LoadModel;
  shard: Shard | null;
  /** Epoch milliseconds when the measured part began (after the warm-up). */
  startedAt: number;
  /** Epoch milliseconds when the last measured operation ended. */
  endedAt: number;
  warmupMs: number;
  /** How many runs this result holds: 1, or the shards merged into it. */
  runs: number;
}

export interface StressResult {
  meta: RunMeta;
  metrics: Metrics;
}

export function durationMs(result: StressResult): number {
  return Math.max(1, result.meta.endedAt - result.meta.startedAt);
}

export function perSecond(count: number, result: StressResult): number {
  return count / (durationMs(result) / 1000);
}

const PERCENTILES: Record<string, number> = { p50: 50, p75: 75, p90: 90, p95: 95, p99: 99, 'p99.9': 99.9 };

export function latencyStat(histogram: Metrics['all'], stat: LatencyStat): number | null {
  if (histogram.totalCount === 0) return null;
  if (stat === 'min') return histogram.minNonZeroValue / 1000;
  if (stat === 'max') return histogram.maxValue / 1000;
  if (stat === 'mean') return histogram.mean / 1000;
  return percentileMs(histogram, PERCENTILES[stat] as number);
}

/** What thresholds read: op null is the whole run (every operation), `iteration` the whole iterations. */
export function thresholdView(result: StressResult): ThresholdView {
  const { metrics } = result;
  return {
    latencyMs(op, stat) {
      if (op === null) return latencyStat(metrics.all, stat);
      if (op === 'iteration') return latencyStat(metrics.iterations, stat);
      const found = metrics.ops.get(op);
      return found ? latencyStat(found.histogram, stat) : null;
    },
    countStat(op, stat) {
      let count: number;
      let errors: number;
      if (op === null) {
        count = metrics.all.totalCount;
        errors = metrics.totalErrors();
      } else if (op === 'iteration') {
        count = metrics.iterations.totalCount;
        errors = metrics.iterationsFailed;
      } else {
        const found = metrics.ops.get(op);
        if (!found) return null;
        count = found.count;
        errors = found.errors;
      }
      switch (stat) {
        case 'count': return count;
        case 'errors': return errors;
        case 'error_rate': return count + errors === 0 ? 0 : errors / (count + errors);
        case 'rate': return perSecond(count, result);
      }
    },
    runStat(stat) {
      switch (stat) {
        case 'iterations': return metrics.iterations.totalCount;
        case 'session_rate': return perSecond(metrics.sessions, result);
        case 'corrupt': return metrics.errorsOfKind('corrupt');
        case 'dropped': return metrics.dropped;
        case 'late': return metrics.late;
        case 'down_mbps': return perSecond(metrics.bytesDown, result) / 1e6;
        case 'up_mbps': return perSecond(metrics.bytesUp, result) / 1e6;
      }
    },
  };
}

// ---- JSON ----

interface OpJson {
  count: number;
  errors: number;
  hdr: string;
}

export interface ResultJson {
  format: typeof RESULT_FORMAT;
  meta: RunMeta;
  /** Derived numbers for people and dashboards; merge ignores them and recomputes. */
  summary: Record<string, unknown>;
  counts: {
    iterationsFailed: number;
    sessions: number;
    bytesDown: number;
    bytesUp: number;
    verified: number;
    dropped: number;
    late: number;
  };
  histograms: { all: string; iteration: string };
  ops: Record<string, OpJson>;
  errors: ErrorGroup[];
  timeline: { ops: number; errors: number; hdr: string }[];
}

function summaryOf(result: StressResult): Record<string, unknown> {
  const view = thresholdView(result);
  const latency = (op: string | null) => Object.fromEntries((['p50', 'p90', 'p99', 'p99.9', 'max'] as const).map((s) => [s, view.latencyMs(op, s)]));
  return {
    durationMs: durationMs(result),
    opsPerSecond: view.countStat(null, 'rate'),
    sessionsPerSecond: view.runStat('session_rate'),
    iterations: result.metrics.iterations.totalCount,
    errors: result.metrics.totalErrors(),
    downMBps: view.runStat('down_mbps'),
    upMBps: view.runStat('up_mbps'),
    latencyMs: { all: latency(null), iteration: latency('iteration'), ...Object.fromEntries([...result.metrics.ops.keys()].map((op) => [op, latency(op)])) },
  };
}

export function resultToJson(result: StressResult): ResultJson {
  const { metrics } = result;
  return {
    format: RESULT_FORMAT,
    meta: result.meta,
    summary: summaryOf(result),
    counts: {
      iterationsFailed: metrics.iterationsFailed,
      sessions: metrics.sessions,
      bytesDown: metrics.bytesDown,
      bytesUp: metrics.bytesUp,
      verified: metrics.verified,
      dropped: metrics.dropped,
      late: metrics.late,
    },
    histograms: { all: encodeHistogram(metrics.all), iteration: encodeHistogram(metrics.iterations) },
    ops: Object.fromEntries([...metrics.ops].map(([name, op]) => [name, { count: op.count, errors: op.errors, hdr: encodeHistogram(op.histogram) }])),
    errors: [...metrics.errors.values()],
    timeline: metrics.timeline.map((bucket) => ({ ops: bucket.ops, errors: bucket.errors, hdr: encodeHistogram(bucket.histogram) })),
  };
}

export class ResultFileError extends Error {}

const ERROR_KINDS: readonly ErrorKind[] = ['refused', 'timeout', 'reset', '421', 'reply', 'closed', 'data', 'corrupt', 'other'];

/** Reads a result written by --json; throws ResultFileError naming the file and what is wrong. */
export function resultFromJson(value: unknown, file: string): StressResult {
  const bad = (what: string): never => {
    throw new ResultFileError(`${file}: not an ftp-check stress result (${what})`);
  };
  if (typeof value !== 'object' || value === null) bad('not a JSON object');
  const json = value as Partial<ResultJson>;
  if (json.format !== RESULT_FORMAT) bad(`format is ${JSON.stringify(json.format)}, expected "${RESULT_FORMAT}"`);
  const meta = json.meta;
  if (!meta || typeof meta.startedAt !== 'number' || typeof meta.endedAt !== 'number') bad('meta.startedAt/endedAt missing');
  if (!json.counts || !json.histograms || !json.ops || !Array.isArray(json.errors) || !Array.isArray(json.timeline)) bad('counts, histograms, ops, errors or timeline missing');
  const decode = (text: unknown, where: string) => {
    if (typeof text !== 'string') return bad(`${where} is not an encoded histogram`);
    try {
      return decodeHistogram(text);
    } catch (error) {
      return bad(`${where}: ${(error as Error).message}`);
    }
  };
  const metrics = new Metrics();
  metrics.all.add(decode(json.histograms!.all, 'histograms.all'));
  metrics.iterations.add(decode(json.histograms!.iteration, 'histograms.iteration'));
  const counts = json.counts!;
  metrics.iterationsFailed = Number(counts.iterationsFailed) || 0;
  metrics.sessions = Number(counts.sessions) || 0;
  metrics.bytesDown = Number(counts.bytesDown) || 0;
  metrics.bytesUp = Number(counts.bytesUp) || 0;
  metrics.verified = Number(counts.verified) || 0;
  metrics.dropped = Number(counts.dropped) || 0;
  metrics.late = Number(counts.late) || 0;
  for (const [name, op] of Object.entries(json.ops!)) {
    const mine = metrics.op(name);
    mine.histogram.add(decode(op.hdr, `ops.${name}`));
    mine.count = Number(op.count) || 0;
    mine.errors = Number(op.errors) || 0;
  }
  for (const group of json.errors!) {
    if (!group || typeof group.key !== 'string' || !ERROR_KINDS.includes(group.kind)) bad('an error group without key or kind');
    metrics.errors.set(group.key, { key: group.key, kind: group.kind, count: Number(group.count) || 0, examples: Array.isArray(group.examples) ? group.examples : [] });
  }
  json.timeline!.forEach((bucket, second) => {
    const mine = metrics.bucketAt(second);
    mine.ops = Number(bucket.ops) || 0;
    mine.errors = Number(bucket.errors) || 0;
    mine.histogram.add(decode(bucket.hdr, `timeline[${second}]`));
  });
  return { meta: { ...meta!, runs: meta!.runs ?? 1 }, metrics };
}

/**
 * Combines shards exactly. The timeline is aligned on each shard's own measured
 * start (second 0 of each), which is what a simultaneous start makes true.
 */
export function mergeResults(results: readonly StressResult[]): StressResult {
  const first = results[0];
  if (!first) throw new ResultFileError('nothing to merge');
  const metrics = new Metrics();
  for (const result of results) metrics.add(result.metrics);
  const scenarios = [...new Set(results.map((r) => r.meta.scenario))];
  const targets = [...new Set(results.map((r) => r.meta.target))];
  const model: LoadModel =
    results.every((r) => r.meta.model.kind === 'closed')
      ? { kind: 'closed', clients: results.reduce((sum, r) => sum + (r.meta.model.kind === 'closed' ? r.meta.model.clients : 0), 0) }
      : {
          kind: 'open',
          rate: results.reduce((sum, r) => sum + (r.meta.model.kind === 'open' ? r.meta.model.rate : 0), 0),
          maxInFlight: results.reduce((sum, r) => sum + (r.meta.model.kind === 'open' ? r.meta.model.maxInFlight : 0), 0),
        };
  return {
    meta: {
      scenario: scenarios.join(' + '),
      target: targets.join(' + '),
      model,
      shard: null,
      startedAt: Math.min(...results.map((r) => r.meta.startedAt)),
      endedAt: Math.max(...results.map((r) => r.meta.endedAt)),
      warmupMs: Math.max(...results.map((r) => r.meta.warmupMs)),
      runs: results.reduce((sum, r) => sum + r.meta.runs, 0),
    },
    metrics,
  };
}
