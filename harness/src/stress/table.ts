/**
 * The final report, a pure function of the result: a header saying what ran, one
 * table row per operation (count, errors, p50/p90/p99/p99.9/max, rate), the totals
 * (sessions, iterations, throughput each way, integrity), errors by kind with their
 * first examples, warnings, and the thresholds. Readable at a glance, no colors needed.
 */
import type { ThresholdOutcome } from './thresholds.ts';
import { describeOutcome } from './thresholds.ts';
import { durationMs, latencyStat, perSecond, type StressResult } from './result.ts';
import type { Histogram } from './metrics.ts';

const COLUMNS = ['operation', 'count', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'per s'] as const;
/** Operations in the order a session does them; others follow alphabetically. */
const ORDER = ['connect', 'login', 'TYPE', 'CWD', 'PWD', 'MKD', 'LIST', 'NLST', 'RETR', 'STOR', 'readback', 'RNFR', 'RNTO', 'DELE', 'RMD', 'QUIT'];

function ms(value: number | null): string {
  if (value === null) return '-';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function rate(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

function describeModel(result: StressResult): string {
  const { model } = result.meta;
  return model.kind === 'closed' ? `closed model, ${model.clients} clients` : `open model, ${rate(model.rate)} iterations/s (at most ${model.maxInFlight} in flight)`;
}

function row(name: string, histogram: Histogram, count: number, errors: number, result: StressResult): string[] {
  const stat = (s: Parameters<typeof latencyStat>[1]) => ms(latencyStat(histogram, s));
  return [name, String(count), String(errors), stat('p50'), stat('p90'), stat('p99'), stat('p99.9'), stat('max'), rate(perSecond(count, result))];
}

function table(rows: string[][], separatorBefore: number): string[] {
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return rows.map((r, i) => (i === separatorBefore ? `${rule}\n${line(r)}` : line(r))).flatMap((text, i) => (i === 0 ? [text, rule] : [text]));
}

export interface ReportParts {
  thresholds: ThresholdOutcome[];
  warnings: string[];
  /** Setup and teardown notes, shard notes. */
  notes?: string[];
  /** How many example transcripts to show per error kind. */
  examples?: number;
}

export function formatReport(result: StressResult, parts: ReportParts): string {
  const { metrics, meta } = result;
  const seconds = durationMs(result) / 1000;
  const out: string[] = [];
  const shard = meta.shard ? ` — shard ${meta.shard.index}/${meta.shard.count}` : meta.runs > 1 ? ` — ${meta.runs} shards merged` : '';
  out.push(`ftp-check stress: ${meta.scenario} against ${meta.target}${shard}`);
  out.push(`${describeModel(result)}, ${seconds.toFixed(1)} s measured${meta.warmupMs > 0 ? ` after ${(meta.warmupMs / 1000).toFixed(1)} s warm-up` : ''}`);
  for (const note of parts.notes ?? []) out.push(`note: ${note}`);
  out.push('');

  const names = [...metrics.ops.keys()].sort((a, b) => {
    const ia = ORDER.indexOf(a);
    const ib = ORDER.indexOf(b);
    return (ia < 0 ? ORDER.length : ia) - (ib < 0 ? ORDER.length : ib) || a.localeCompare(b);
  });
  const rows: string[][] = [[...COLUMNS]];
  for (const name of names) {
    const op = metrics.ops.get(name)!;
    rows.push(row(name, op.histogram, op.count, op.errors, result));
  }
  const totalRowAt = rows.length;
  rows.push(row('all operations', metrics.all, metrics.all.totalCount, metrics.totalErrors(), result));
  rows.push(row('iteration', metrics.iterations, metrics.iterations.totalCount, metrics.iterationsFailed, result));
  out.push(...table(rows, totalRowAt));
  out.push('');

  out.push(
    `sessions ${metrics.sessions} (${rate(perSecond(metrics.sessions, result))}/s)   ` +
      `iterations ${metrics.iterations.totalCount} ok, ${metrics.iterationsFailed} failed   ` +
      `operations ${metrics.all.totalCount} (${rate(perSecond(metrics.all.totalCount, result))}/s)`,
  );
  out.push(
    `transfer down ${formatBytes(metrics.bytesDown)} (${(perSecond(metrics.bytesDown, result) / 1e6).toFixed(2)} MB/s)   ` +
      `up ${formatBytes(metrics.bytesUp)} (${(perSecond(metrics.bytesUp, result) / 1e6).toFixed(2)} MB/s)`,
  );
  const corrupt = metrics.errorsOfKind('corrupt');
  out.push(`integrity ${metrics.verified} transfers checked against what was uploaded or seeded, ${corrupt} corrupt${corrupt > 0 ? '  <-- DATA CORRUPTION' : ''}`);
  if (meta.model.kind === 'open') out.push(`schedule ${metrics.dropped} starts dropped, ${metrics.late} late (latency counted from the scheduled start)`);

  const groups = [...metrics.errors.values()].sort((a, b) => b.count - a.count);
  if (groups.length === 0) {
    out.push('errors none');
  } else {
    out.push(`errors ${groups.map((g) => `${g.key} ×${g.count}`).join(', ')}`);
    for (const group of groups) {
      for (const example of group.examples.slice(0, parts.examples ?? 1)) {
        out.push('');
        out.push(`  first ${group.key} at ${(example.atMs / 1000).toFixed(1)} s: ${example.message}`);
        for (const line of example.transcript) out.push(`    ${line}`);
      }
    }
  }
  if (parts.warnings.length > 0) {
    out.push('');
    for (const warning of parts.warnings) out.push(`WARNING: ${warning}`);
  }
  if (parts.thresholds.length > 0) {
    out.push('');
    out.push('thresholds');
    for (const outcome of parts.thresholds) out.push(`  ${describeOutcome(outcome)}`);
    const failed = parts.thresholds.filter((o) => !o.passed).length;
    out.push(failed === 0 ? `  all ${parts.thresholds.length} thresholds hold` : `  ${failed} of ${parts.thresholds.length} thresholds BREACHED`);
  }
  return out.join('\n');
}
