/**
 * TAP version 14 (testanything.org/tap-version-14-specification.html):
 *   ok N - id title                        passed
 *   not ok N - id title  + YAML diagnostic  failed
 *   ok N - id title # SKIP reason          skipped
 *   not ok N - id title # TODO reason      expected failure (+ diagnostic)
 *   ok N - id title      + YAML diagnostic  warned (a SHOULD-level deviation)
 *   ok N - id title # SKIP not checked: reason   not checked (+ diagnostic)
 * A `# suite` comment opens each suite. Written once, on run-end.
 */
import { stringify } from 'yaml';
import { messageOf, type CaseInfo, type CaseResult, type Reporter, type RunEvent } from '../engine/results.ts';
import { DEFAULT_TRANSCRIPT_TAIL, groupBySuite, orderResults, transcriptExcerpt } from './format.ts';
import { writeReportFile } from './report-file.ts';

/** TAP 14: `\` and `#` are escaped in a description, and a test point is one line. */
function escapeTap(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

function testPoint(result: CaseResult, number: number): string {
  const description = `${number} - ${escapeTap(`${result.info.id} ${result.info.title}`)}`;
  const reason = (fallback: string) => escapeTap(result.reason ?? fallback);
  switch (result.status) {
    case 'passed':
    case 'warned':
      return `ok ${description}`;
    case 'failed':
      return `not ok ${description}`;
    case 'skipped':
      return `ok ${description} # SKIP ${reason('skipped')}`;
    case 'not-checked':
      return `ok ${description} # SKIP not checked: ${reason('no reason given')}`;
    case 'expected-failure':
      return `not ok ${description} # TODO ${reason('expected failure')}`;
  }
}

/** The YAML diagnostic of a case that did not simply pass or skip. */
function diagnostic(result: CaseResult): Record<string, unknown> | undefined {
  if (result.status === 'passed' || result.status === 'skipped') return undefined;
  const { info, failure } = result;
  const diag: Record<string, unknown> = {
    severity: info.severity,
    level: info.level,
    message: messageOf(result).trim(),
  };
  if (result.status === 'warned') diag.note = 'SHOULD-level deviation, counted as a failure with --strict';
  if (result.status === 'not-checked') diag.note = `not checked: ${result.reason ?? 'no reason given'} (counted as a failure with --strict)`;
  if (failure) {
    diag.step = failure.step;
    diag.expected = failure.expected;
    diag.actual = failure.actual;
    if (failure.detail !== undefined) diag.detail = failure.detail;
  }
  diag.references = info.references;
  if (result.harnessError !== undefined) diag.harness_error = result.harnessError;
  diag.duration_ms = Math.round(result.durationMs);
  const transcript = transcriptExcerpt(result.transcript, DEFAULT_TRANSCRIPT_TAIL).lines;
  if (transcript.length > 0) diag.transcript = transcript;
  return diag;
}

export function renderTap(results: CaseResult[], declared?: CaseInfo[]): string {
  const ordered = orderResults(results, declared);
  const lines = ['TAP version 14', `1..${ordered.length}`];
  let number = 0;
  for (const [suite, suiteResults] of groupBySuite(ordered)) {
    lines.push(`# ${suite}`);
    for (const result of suiteResults) {
      number += 1;
      lines.push(testPoint(result, number));
      const diag = diagnostic(result);
      if (diag) {
        const yaml = stringify(diag, { lineWidth: 0 }).replace(/\n$/, '');
        lines.push('  ---', ...yaml.split('\n').map((line) => `  ${line}`), '  ...');
      }
    }
  }
  return lines.join('\n') + '\n';
}

export function createTapReporter(file: string): Reporter {
  let declared: CaseInfo[] = [];
  return {
    async onEvent(event: RunEvent): Promise<void> {
      if (event.type === 'run-start') declared = event.cases;
      else if (event.type === 'run-end') await writeReportFile(file, renderTap(event.results, declared));
    },
  };
}
