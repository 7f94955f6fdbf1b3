/**
 * One JSON document per run, for scripts and graders: the target, the summary,
 * the server's capabilities, and every case with its failure and transcript.
 * Absent values are `null`, so every case has the same keys. Written on run-end.
 */
import { messageOf, type CaseInfo, type CaseResult, type CaseStatus, type Failure, type Level, type Reporter, type RunEvent, type RunSummary, type Severity } from '../engine/results.ts';
import type { TranscriptEntry } from '../wire/transcript.ts';
import { orderResults } from './format.ts';
import { writeReportFile } from './report-file.ts';

export interface JsonCase {
  id: string;
  suite: string;
  title: string;
  severity: Severity;
  level: Level;
  references: string[];
  warning: string;
  /** What the reader is told went wrong, built from what was observed (null when the case passed or skipped). */
  message: string | null;
  file: string;
  status: CaseStatus;
  durationMs: number;
  failure: Failure | null;
  reason: string | null;
  harnessError: string | null;
  transcript: TranscriptEntry[];
}

export interface JsonReport {
  tool: 'ftp-check';
  /** Bumped when a field changes meaning or goes away. */
  formatVersion: 1;
  target: string;
  /** ISO time the run started, when the run-start event was seen. */
  startedAt: string | null;
  summary: RunSummary;
  capabilities: string[];
  cases: JsonCase[];
}

export interface JsonRunContext {
  declared?: CaseInfo[];
  startedAt?: number;
  capabilities?: string[];
}

export function buildJsonReport(summary: RunSummary, results: CaseResult[], context: JsonRunContext = {}): JsonReport {
  return {
    tool: 'ftp-check',
    formatVersion: 1,
    target: summary.target,
    startedAt: context.startedAt === undefined ? null : new Date(context.startedAt).toISOString(),
    summary,
    capabilities: context.capabilities ?? [],
    cases: orderResults(results, context.declared).map((result) => ({
      id: result.info.id,
      suite: result.info.suite,
      title: result.info.title,
      severity: result.info.severity,
      level: result.info.level,
      references: result.info.references,
      warning: result.info.warning,
      message: result.status === 'passed' || result.status === 'skipped' ? null : messageOf(result),
      file: result.info.file,
      status: result.status,
      durationMs: result.durationMs,
      failure: result.failure ?? null,
      reason: result.reason ?? null,
      harnessError: result.harnessError ?? null,
      transcript: result.transcript,
    })),
  };
}

export function renderJson(summary: RunSummary, results: CaseResult[], context: JsonRunContext = {}): string {
  return JSON.stringify(buildJsonReport(summary, results, context), null, 2) + '\n';
}

export function createJsonReporter(file: string): Reporter {
  let context: JsonRunContext = {};
  return {
    async onEvent(event: RunEvent): Promise<void> {
      if (event.type === 'run-start') {
        context = { declared: event.cases, startedAt: event.startedAt, capabilities: event.capabilities };
      } else if (event.type === 'run-end') {
        await writeReportFile(file, renderJson(event.summary, event.results, context));
      }
    },
  };
}
