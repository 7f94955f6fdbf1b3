/**
 * The measures of a stress run, as autocannon keeps them: latencies in HDR
 * histograms (hdr-histogram-js, pure JS, microseconds, 3 significant digits),
 * which serialise exactly and merge exactly across shards; counters that add up;
 * errors grouped by kind with their first examples; and a per-second timeline
 * (coarser histograms) to tell a server that degrades during the run.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** Every histogram of a run has the same shape, so any two merge exactly. */
export function newHistogram(significantDigits = 3): Histogram {
  return hdr.build({
    useWebAssembly: false,
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000, // one hour in microseconds; autoResize copes beyond
    numberOfSignificantValueDigits: significantDigits as 1 | 2 | 3 | 4 | 5,
  });
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(text: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(text, 32, false);
  // Decoded histograms do not grow by themselves; merging into them must not drop values.
  decoded.autoResize = true;
  return decoded;
}

/** Microseconds of a span given in (fractional) milliseconds; at least 1. */
export function micros(ms: number): number {
  return Math.max(1, Math.round(ms * 1000));
}

/**
 * Why an operation failed. `reply` is a reply code other than the expected ones
 * (its key carries the code), `421` the server refusing service, `closed` the
 * server closing the control connection, `data` a data connection that failed,
 * `corrupt` bytes that differ from what was uploaded or seeded.
 */
export type ErrorKind = 'refused' | 'timeout' | 'reset' | '421' | 'reply' | 'closed' | 'data' | 'corrupt' | 'other';

export interface ErrorExample {
  op: string;
  message: string;
  /** Milliseconds since the measured start. */
  atMs: number;
  /** The last lines of the session's transcript (passwords masked). */
  transcript: string[];
}

export interface ErrorGroup {
  key: string;
  kind: ErrorKind;
  count: number;
  examples: ErrorExample[];
}

export interface OpMetrics {
  histogram: Histogram;
  /** Successful operations (the histogram's count). */
  count: number;
  errors: number;
}

export interface TimelineBucket {
  ops: number;
  errors: number;
  /** All operations of that second, 2 significant digits (small: a run may be long). */
  histogram: Histogram;
}

export const MAX_EXAMPLES = 3;
/** The timeline stops growing after this many seconds; later seconds go to the last bucket. */
export const MAX_TIMELINE_SECONDS = 24 * 3600;

export class Metrics {
  readonly ops = new Map<string, OpMetrics>();
  /** Every successful operation. In the open model the first of each iteration counts from its scheduled start. */
  readonly all = newHistogram();
  /** Whole iterations that completed (open model: from the scheduled start). */
  readonly iterations = newHistogram();
  iterationsFailed = 0;
  /** Control connections that got their greeting. */
  sessions = 0;
  bytesDown = 0;
  bytesUp = 0;
  /** Downloads and read-backs checked against a digest. */
  verified = 0;
  /** Open model: starts never made (every in-flight slot busy), and starts made late. */
  dropped = 0;
  late = 0;
  readonly errors = new Map<string, ErrorGroup>();
  readonly timeline: TimelineBucket[] = [];

  op(name: string): OpMetrics {
    let op = this.ops.get(name);
    if (!op) {
      op = { histogram: newHistogram(), count: 0, errors: 0 };
      this.ops.set(name, op);
    }
    return op;
  }

  recordOp(name: string, valueMicros: number, atMs: number): void {
    const op = this.op(name);
    op.histogram.recordValue(valueMicros);
    op.count += 1;
    this.all.recordValue(valueMicros);
    const bucket = this.bucket(atMs);
    bucket.ops += 1;
    bucket.histogram.recordValue(valueMicros);
  }

  recordError(op: string, key: string, kind: ErrorKind, example: ErrorExample): void {
    this.op(op).errors += 1;
    this.bucket(example.atMs).errors += 1;
    let group = this.errors.get(key);
    if (!group) {
      group = { key, kind, count: 0, examples: [] };
      this.errors.set(key, group);
    }
    group.count += 1;
    if (group.examples.length < MAX_EXAMPLES) group.examples.push(example);
  }

  recordIteration(valueMicros: number): void {
    this.iterations.recordValue(valueMicros);
  }

  totalErrors(): number {
    let total = 0;
    for (const group of this.errors.values()) total += group.count;
    return total;
  }

  errorsOfKind(kind: ErrorKind): number {
    let total = 0;
    for (const group of this.errors.values()) if (group.kind === kind) total += group.count;
    return total;
  }

  /** Adds another run's (a shard's) measures into this one: histograms merged, counts summed. */
  add(other: Metrics): void {
    for (const [name, op] of other.ops) {
      const mine = this.op(name);
      mine.histogram.add(op.histogram);
      mine.count += op.count;
      mine.errors += op.errors;
    }
    this.all.add(other.all);
    this.iterations.add(other.iterations);
    this.iterationsFailed += other.iterationsFailed;
    this.sessions += other.sessions;
    this.bytesDown += other.bytesDown;
    this.bytesUp += other.bytesUp;
    this.verified += other.verified;
    this.dropped += other.dropped;
    this.late += other.late;
    for (const group of other.errors.values()) {
      const mine = this.errors.get(group.key);
      if (!mine) {
        this.errors.set(group.key, { ...group, examples: [...group.examples] });
        continue;
      }
      mine.count += group.count;
      for (const example of group.examples) if (mine.examples.length < MAX_EXAMPLES) mine.examples.push(example);
    }
    other.timeline.forEach((bucket, second) => {
      const mine = this.bucketAt(second);
      mine.ops += bucket.ops;
      mine.errors += bucket.errors;
      mine.histogram.add(bucket.histogram);
    });
  }

  private bucket(atMs: number): TimelineBucket {
    return this.bucketAt(Math.min(MAX_TIMELINE_SECONDS - 1, Math.max(0, Math.floor(atMs / 1000))));
  }

  bucketAt(second: number): TimelineBucket {
    while (this.timeline.length <= second) this.timeline.push({ ops: 0, errors: 0, histogram: newHistogram(2) });
    return this.timeline[second] as TimelineBucket;
  }
}

/** Latency in milliseconds at a percentile (0..100), or null without samples. */
export function percentileMs(histogram: Histogram, percentile: number): number | null {
  if (histogram.totalCount === 0) return null;
  return histogram.getValueAtPercentile(percentile) / 1000;
}
