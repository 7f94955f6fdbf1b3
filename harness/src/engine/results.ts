/**
 * What a run produces: typed events from the runner, and the result of each
 * case. Reporters only read these (h2spec's expected-vs-actual failures;
 * autocannon's event stream), so printing is a pure function of results.
 */
import type { TranscriptEntry } from '../wire/transcript.ts';

export type Severity = 'critical' | 'major' | 'minor' | 'info';
/** RFC 2119 level of the requirement a case checks: SHOULD-level failures count only with --strict. */
export type Level = 'must' | 'should';

export interface CaseInfo {
  id: string;
  suite: string;
  title: string;
  severity: Severity;
  level: Level;
  references: string[];
  /** Plain words a student or operator understands, shown when the case fails. */
  warning: string;
  file: string;
}

export interface Failure {
  /** Which step failed, e.g. `step 3: send CWD ../..`. */
  step: string;
  /** What the server should have done, as readable alternatives. */
  expected: string[];
  /** What it did. */
  actual: string;
  /** Extra detail (e.g. a leaked path found in a reply). */
  detail?: string;
}

export type CaseStatus =
  | 'passed'
  | 'failed'
  | 'skipped'
  /** Failed, but listed in --expect-fail with a reason. */
  | 'expected-failure'
  /** A SHOULD-level case that failed without --strict: shown, not counted as a failure. */
  | 'warned';

export interface CaseResult {
  info: CaseInfo;
  status: CaseStatus;
  durationMs: number;
  failure?: Failure;
  /** Why it was skipped, or the expect-fail reason. */
  reason?: string;
  /** Every line both ways, passwords masked. */
  transcript: TranscriptEntry[];
  /** A bug in ftp-check rather than a fault of the target (e.g. a step threw). */
  harnessError?: string;
}

export interface RunSummary {
  passed: number;
  failed: number;
  skipped: number;
  expectedFailures: number;
  warned: number;
  durationMs: number;
  target: string;
}

export type RunEvent =
  | { type: 'run-start'; target: string; cases: CaseInfo[]; capabilities: string[]; startedAt: number }
  | { type: 'case-start'; info: CaseInfo }
  | { type: 'case-end'; result: CaseResult }
  | { type: 'run-end'; summary: RunSummary; results: CaseResult[] };

/** A reporter is a plugin fed by run events; it holds no runner state. */
export interface Reporter {
  onEvent(event: RunEvent): void | Promise<void>;
}

export function summarize(results: CaseResult[], target: string, durationMs: number): RunSummary {
  const count = (status: CaseStatus) => results.filter((result) => result.status === status).length;
  return {
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    expectedFailures: count('expected-failure'),
    warned: count('warned'),
    durationMs,
    target,
  };
}

/** The closing line, as CI tools read it. */
export function summaryLine(summary: RunSummary): string {
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`;
}
