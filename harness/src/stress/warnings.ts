/**
 * Signs that the server degraded during the run, read from the result (pure):
 * 421 refusals, resets, refused connections, timeouts, corrupt data, a generator
 * that could not keep its schedule, and latency or errors rising from the first
 * third of the run to the last.
 */
import { newHistogram } from './metrics.ts';
import { durationMs, type StressResult } from './result.ts';

/** Latency "rises" when the last third's median is this many times the first third's, and 1 ms more. */
const RISE_FACTOR = 1.5;
const RISE_MIN_MS = 1;
/** Fewer seconds than this and thirds say nothing. */
const MIN_SECONDS_FOR_TREND = 3;
const MIN_OPS_PER_THIRD = 30;

/**
 * A third of the run's whole seconds. The second the run ended in holds only a
 * fraction of a second's operations (the last iterations draining), so it is
 * left out; counted, it made an even run look as if its throughput had fallen.
 */
function third(result: StressResult, which: 0 | 2) {
  const timeline = result.metrics.timeline.slice(0, Math.floor(durationMs(result) / 1000));
  const size = Math.floor(timeline.length / 3);
  const buckets = which === 0 ? timeline.slice(0, size) : timeline.slice(timeline.length - size);
  const histogram = newHistogram(2);
  let ops = 0;
  let errors = 0;
  for (const bucket of buckets) {
    histogram.add(bucket.histogram);
    ops += bucket.ops;
    errors += bucket.errors;
  }
  return { histogram, ops, errors };
}

export function degradationWarnings(result: StressResult): string[] {
  const { metrics } = result;
  const warnings: string[] = [];
  const count = (kind: Parameters<typeof metrics.errorsOfKind>[0]) => metrics.errorsOfKind(kind);
  const corrupt = count('corrupt');
  if (corrupt > 0) warnings.push(`CORRUPT DATA: ${corrupt} transfers did not carry the bytes expected (see the examples)`);
  if (count('421') > 0) warnings.push(`the server refused service with 421 ${count('421')} times: a connection or per-user limit, or overload`);
  if (count('reset') > 0) warnings.push(`${count('reset')} connections were reset by the server`);
  if (count('refused') > 0) warnings.push(`${count('refused')} connections were refused: the listen backlog or a connection limit is full`);
  if (count('timeout') > 0) warnings.push(`${count('timeout')} operations timed out: the server stopped answering some sessions`);
  if (metrics.dropped > 0) warnings.push(`${metrics.dropped} scheduled starts were dropped: --max-in-flight iterations were still running (the server is slower than the rate asked)`);
  if (metrics.late > 0) warnings.push(`${metrics.late} starts were late (more than 10 ms past schedule): their delay is in the latencies, as it should be`);
  if (Math.min(metrics.timeline.length, Math.floor(durationMs(result) / 1000)) >= MIN_SECONDS_FOR_TREND) {
    const first = third(result, 0);
    const last = third(result, 2);
    if (first.ops >= MIN_OPS_PER_THIRD && last.ops >= MIN_OPS_PER_THIRD) {
      const p50 = (h: typeof first.histogram) => h.getValueAtPercentile(50) / 1000;
      const p99 = (h: typeof first.histogram) => h.getValueAtPercentile(99) / 1000;
      const [a, b] = [p50(first.histogram), p50(last.histogram)];
      if (b > a * RISE_FACTOR && b - a > RISE_MIN_MS) {
        warnings.push(`latency rose through the run: median ${a.toFixed(2)} → ${b.toFixed(2)} ms, p99 ${p99(first.histogram).toFixed(2)} → ${p99(last.histogram).toFixed(2)} ms (first third → last third)`);
      }
      const rateA = first.errors / (first.ops + first.errors);
      const rateB = last.errors / (last.ops + last.errors);
      if (last.errors > 0 && rateB > 2 * rateA && rateB > 0.01) {
        warnings.push(`errors rose through the run: ${(rateA * 100).toFixed(1)}% → ${(rateB * 100).toFixed(1)}% of operations (first third → last third)`);
      }
      const throughputA = first.ops;
      const throughputB = last.ops;
      if (throughputB < throughputA / RISE_FACTOR) warnings.push(`throughput fell through the run: ${throughputA} → ${throughputB} operations per third`);
    }
  }
  return warnings;
}
