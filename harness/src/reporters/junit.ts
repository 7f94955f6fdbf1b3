/**
 * JUnit XML for CI dashboards: one <testsuite> per suite, one <testcase> per
 * case (classname = suite, name = case id, time in seconds).
 *   failed           -> <failure message="warning + expected vs actual" type="severity">
 *                       (<error type="harness-error"> when ftp-check itself broke: style habit 10)
 *   skipped          -> <skipped message="reason">
 *   expected-failure -> <skipped message="expected failure: reason">
 *   warned           -> passes, with a note in <system-out>
 *   not-checked      -> <skipped message="not checked: reason"> (nothing was learnt about the requirement;
 *                       a dashboard should not show the server red for it), details in <system-out>
 * The transcript goes to <system-out>. Written once, on run-end.
 */
import { createRequire } from 'node:module';
import type { Builder, TestCase, TestSuite } from 'junit-report-builder';
import type { CaseInfo, CaseResult, Reporter, RunEvent, RunSummary } from '../engine/results.ts';
import { alignRows, failureMessage, failureRows, groupBySuite, orderResults, transcriptExcerpt } from './format.ts';
import { writeReportFile } from './report-file.ts';

// The package is CommonJS but its typings declare an ES default export, so under
// NodeNext a default import is typed `{ default }` while Node hands over
// module.exports itself. require() has one meaning for both.
const junitBuilder = createRequire(import.meta.url)('junit-report-builder') as Builder;

export interface JUnitRunContext {
  /** Cases as the run declared them, to keep the file's order stable. */
  declared?: CaseInfo[];
  startedAt?: number;
  capabilities?: string[];
}

export function renderJUnit(summary: RunSummary, results: CaseResult[], context: JUnitRunContext = {}): string {
  const report = junitBuilder.newBuilder().name(`ftp-check ${summary.target}`);
  for (const [suite, suiteResults] of groupBySuite(orderResults(results, context.declared))) {
    const testSuite = report
      .testSuite()
      .name(suite)
      .time(seconds(suiteResults.reduce((total, result) => total + result.durationMs, 0)))
      .property('target', summary.target);
    if (context.startedAt !== undefined) testSuite.timestamp(new Date(context.startedAt));
    if (context.capabilities && context.capabilities.length > 0) testSuite.property('capabilities', context.capabilities.join(' '));
    for (const result of suiteResults) addCase(testSuite, result);
  }
  return report.build();
}

function addCase(testSuite: TestSuite, result: CaseResult): void {
  const testCase = testSuite
    .testCase()
    .className(result.info.suite)
    .name(result.info.id)
    .file(result.info.file)
    .time(seconds(result.durationMs));
  const details = alignRows(failureRows(result)).join('\n');
  const output: string[] = [];
  switch (result.status) {
    case 'passed':
      break;
    case 'failed':
      if (result.harnessError !== undefined) testCase.error(failureMessage(result), 'harness-error', details);
      else testCase.failure(failureMessage(result), result.info.severity).stacktrace(details);
      break;
    case 'skipped':
      skipWithMessage(testCase, result.reason ?? 'skipped');
      break;
    case 'expected-failure':
      skipWithMessage(testCase, `expected failure: ${result.reason ?? 'no reason given'}`);
      output.push(`expected failure: ${failureMessage(result)}`, details, '');
      break;
    case 'not-checked':
      skipWithMessage(testCase, `not checked: ${result.reason ?? 'no reason given'}`);
      output.push(`not checked: ${result.reason ?? 'no reason given'}`, details, '');
      break;
    case 'warned':
      output.push(
        `SHOULD-level deviation (not counted; a failure with --strict): ${failureMessage(result)}`,
        details,
        '',
      );
      break;
  }
  const transcript = transcriptExcerpt(result.transcript).lines;
  if (transcript.length > 0) output.push(`transcript (${transcript.length} lines):`, ...transcript);
  if (output.length > 0) testCase.standardOutput(output.join('\n'));
}

/**
 * v5 only writes a bare <skipped/>, while JUnit readers (Jenkins, GitLab,
 * junit2json) show a `message` attribute on it: add one to the element the
 * library builds, keeping its skip counts right.
 */
function skipWithMessage(testCase: TestCase, message: string): void {
  testCase.skipped();
  const build = testCase.build.bind(testCase);
  testCase.build = (parent) => {
    const element = build(parent);
    for (const child of element.children) {
      const node = child as typeof element;
      if (node.name === 'skipped') node.attribute('message', message);
    }
    return element;
  };
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

export function createJUnitReporter(file: string): Reporter {
  let context: JUnitRunContext = {};
  return {
    async onEvent(event: RunEvent): Promise<void> {
      if (event.type === 'run-start') {
        context = { declared: event.cases, startedAt: event.startedAt, capabilities: event.capabilities };
      } else if (event.type === 'run-end') {
        await writeReportFile(file, renderJUnit(event.summary, event.results, context));
      }
    },
  };
}
