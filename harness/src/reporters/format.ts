/**
 * Plain-text pieces every reporter shares: durations, transcript lines, the
 * expected-vs-actual rows of a failure, and a stable case order. All pure:
 * results in, strings out (style habit 9).
 */
import { messageOf, type CaseInfo, type CaseResult } from '../engine/results.ts';
import type { TranscriptEntry } from '../wire/transcript.ts';

export const DEFAULT_TRANSCRIPT_TAIL = 12;

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

const ARROWS: Record<TranscriptEntry['direction'], string> = { sent: '>', received: '<', note: '#' };

/** `+12ms control > USER anon`: the text is already masked and escaped by the wire layer. */
export function formatTranscriptEntry(entry: TranscriptEntry): string {
  return `+${Math.round(entry.atMs)}ms ${entry.channel} ${ARROWS[entry.direction]} ${entry.text}`;
}

export interface TranscriptExcerpt {
  lines: string[];
  /** How many earlier entries were left out. */
  omitted: number;
}

/** The last `tail` entries, or all of them when `tail` is undefined. */
export function transcriptExcerpt(entries: TranscriptEntry[], tail?: number): TranscriptExcerpt {
  const kept = tail === undefined ? entries : entries.slice(Math.max(0, entries.length - tail));
  return { lines: kept.map(formatTranscriptEntry), omitted: entries.length - kept.length };
}

/** `transcript (last 12 of 40 lines):` or `transcript (8 lines):`. */
export function transcriptHeading(excerpt: TranscriptExcerpt): string {
  const total = excerpt.lines.length + excerpt.omitted;
  if (total === 0) return 'transcript: (empty)';
  return excerpt.omitted > 0
    ? `transcript (last ${excerpt.lines.length} of ${total} lines):`
    : `transcript (${total} line${total === 1 ? '' : 's'}):`;
}

/**
 * The labelled rows of a failure, in reading order: which step, what was
 * expected (one row per alternative), what happened, which requirement it breaks.
 */
export function failureRows(result: CaseResult): Array<[label: string, value: string]> {
  const rows: Array<[string, string]> = [];
  const failure = result.failure;
  if (failure) {
    rows.push(['step', failure.step]);
    failure.expected.forEach((alternative, index) => rows.push([index === 0 ? 'expected' : 'or', alternative]));
    if (failure.expected.length === 0) rows.push(['expected', '(not stated)']);
    rows.push(['actual', failure.actual]);
    if (failure.detail !== undefined) rows.push(['detail', failure.detail]);
  }
  if (result.info.references.length > 0) rows.push(['breaks', result.info.references.join('; ')]);
  if (result.harnessError !== undefined) rows.push(['harness error', `${result.harnessError} (a bug in ftp-check, not a fault of the target)`]);
  return rows;
}

/** Rows aligned on their labels: `expected: ...` / `      or: ...`. */
export function alignRows(rows: Array<[string, string]>): string[] {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padStart(width)}: ${indentContinuation(value, width + 2)}`);
}

/** One line for a CI summary: the warning, then expected vs actual. */
export function failureMessage(result: CaseResult): string {
  const parts = [messageOf(result).trim()];
  const failure = result.failure;
  if (failure) {
    const expected = failure.expected.length > 0 ? failure.expected.join(' or ') : '(not stated)';
    parts.push(`Expected ${expected}; got ${failure.actual}.`);
  }
  if (result.harnessError !== undefined) parts.push(`Harness error: ${result.harnessError}.`);
  return parts.filter((part) => part.length > 0).join(' ');
}

/** Multi-line values keep their indentation under the first line. */
export function indentContinuation(text: string, width: number): string {
  return text.split('\n').join('\n' + ' '.repeat(width));
}

function caseKey(info: Pick<CaseInfo, 'suite' | 'id'>): string {
  return `${info.suite}\u0000${info.id}`;
}

/**
 * Results in the order the run declared its cases (so parallel completion does
 * not shuffle reports), with any case the run did not declare kept at the end.
 */
export function orderResults(results: CaseResult[], declared: CaseInfo[] = []): CaseResult[] {
  const rank = new Map(declared.map((info, index) => [caseKey(info), index]));
  return results
    .map((result, index) => ({ result, index, rank: rank.get(caseKey(result.info)) ?? declared.length + index }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.result);
}

/** Suites in order of first appearance, each with its cases in the given order. */
export function groupBySuite(results: CaseResult[]): Map<string, CaseResult[]> {
  const groups = new Map<string, CaseResult[]>();
  for (const result of results) {
    const group = groups.get(result.info.suite);
    if (group) group.push(result);
    else groups.set(result.info.suite, [result]);
  }
  return groups;
}
