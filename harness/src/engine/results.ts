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
  /** What the server did at that step: answered (a reply or data that did not hold), closed, or stayed silent. */
  observed?: 'reply' | 'data' | 'closed' | 'timeout';
  /** The reply that did not hold, when `observed` is 'reply'. */
  reply?: { code: number; text: string };
}

export type CaseStatus =
  | 'passed'
  | 'failed'
  | 'skipped'
  /** Failed, but listed in --expect-fail with a reason. */
  | 'expected-failure'
  /** A SHOULD-level case that failed without --strict: shown, not counted as a failure. */
  | 'warned'
  /**
   * A step the case needs to get to its check went wrong (a missing basic command, a scratch folder refused,
   * a session limit, a dead target): nothing was learnt about the requirement. `reason` says what happened.
   */
  | 'not-checked';

export interface CaseResult {
  info: CaseInfo;
  status: CaseStatus;
  durationMs: number;
  failure?: Failure;
  /** Why it was skipped or not checked, or the expect-fail reason. */
  reason?: string;
  /**
   * What the reader is told went wrong, built from what was observed: the case's (or the failing step's) story
   * when the observed answer is the one it describes, otherwise a plain account of the outcome. Defaults to
   * `info.warning` where absent.
   */
  message?: string;
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
  notChecked: number;
  durationMs: number;
  target: string;
  /** Run-level findings, e.g. the target stopped answering after a case, a session limit met. */
  notices: string[];
  /** The case after (or during) which the target stopped answering, when it did: a finding even when no case is blamed. */
  targetStoppedAfter?: string;
}

export type RunEvent =
  | { type: 'run-start'; target: string; cases: CaseInfo[]; capabilities: string[]; startedAt: number }
  | { type: 'case-start'; info: CaseInfo }
  | { type: 'case-end'; result: CaseResult }
  | { type: 'notice'; message: string }
  | { type: 'run-end'; summary: RunSummary; results: CaseResult[] };

/** A reporter is a plugin fed by run events; it holds no runner state. */
export interface Reporter {
  onEvent(event: RunEvent): void | Promise<void>;
}

export function summarize(results: CaseResult[], target: string, durationMs: number, notices: string[] = [], targetStoppedAfter?: string): RunSummary {
  const count = (status: CaseStatus) => results.filter((result) => result.status === status).length;
  return {
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    expectedFailures: count('expected-failure'),
    warned: count('warned'),
    notChecked: count('not-checked'),
    durationMs,
    target,
    notices,
    ...(targetStoppedAfter === undefined ? {} : { targetStoppedAfter }),
  };
}

/** The closing line, as CI tools read it (`N passed, N failed` first). */
export function summaryLine(summary: RunSummary): string {
  const notChecked = summary.notChecked > 0 ? `, ${summary.notChecked} not checked` : '';
  return `${summary.passed} passed, ${summary.failed} failed${notChecked}, ${summary.skipped} skipped`;
}

/** The words a reader is shown for a case that did not pass. */
export function messageOf(result: CaseResult): string {
  return result.message ?? result.info.warning;
}
