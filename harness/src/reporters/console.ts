/**
 * The human report: one block per suite, one line per case, and for each
 * failure a WARNING block (what the server did wrong, expected vs actual, the
 * requirement it breaks, the end of the transcript). The closing line is
 * `summaryLine`, which CI tools read.
 *
 * Cases may end out of order when run in parallel, so results are buffered per
 * suite and a suite is printed once all its declared cases have ended. The only
 * state kept is that buffer; every string comes from the pure `render*` functions.
 */
import type { CaseInfo, CaseResult, CaseStatus, Reporter, RunEvent, RunSummary, Severity } from '../engine/results.ts';
import { messageOf, summarize, summaryLine } from '../engine/results.ts';
import {
  DEFAULT_TRANSCRIPT_TAIL,
  alignRows,
  failureRows,
  formatDuration,
  groupBySuite,
  indentContinuation,
  orderResults,
  transcriptExcerpt,
  transcriptHeading,
} from './format.ts';

export interface ConsoleReporterOptions {
  write: (text: string) => void;
  /** Print the whole transcript of every case, passes included. */
  verbose: boolean;
  /** ANSI colors (and ✔/✘ marks instead of PASS/FAIL words). */
  color: boolean;
  /** Transcript lines shown under a failure when not verbose; default 12. */
  transcriptTail?: number;
}

export type ConsoleRenderOptions = Omit<ConsoleReporterOptions, 'write'>;

type Paint = (style: Style, text: string) => string;
type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';
const ANSI: Record<Style, string> = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', cyan: '36' };

function painter(color: boolean): Paint {
  return color ? (style, text) => `\x1b[${ANSI[style]}m${text}\x1b[0m` : (_style, text) => text;
}

const STATUS_MARKS: Record<CaseStatus, { symbol: string; word: string; style: Style }> = {
  passed: { symbol: '✔', word: 'PASS', style: 'green' },
  failed: { symbol: '✘', word: 'FAIL', style: 'red' },
  skipped: { symbol: '-', word: 'SKIP', style: 'dim' },
  'expected-failure': { symbol: '✘', word: 'XFAIL', style: 'yellow' },
  warned: { symbol: '!', word: 'WARN', style: 'yellow' },
  'not-checked': { symbol: '?', word: 'NOCHK', style: 'cyan' },
};
const WORD_WIDTH = Math.max(...Object.values(STATUS_MARKS).map((mark) => mark.word.length));

const SEVERITY_STYLES: Record<Severity, Style> = { critical: 'red', major: 'red', minor: 'yellow', info: 'cyan' };

const CASE_INDENT = '  ';
const DETAIL_INDENT = '      ';

export function renderCaseLine(result: CaseResult, options: ConsoleRenderOptions): string {
  const paint = painter(options.color);
  const mark = STATUS_MARKS[result.status];
  const tag = options.color ? paint(mark.style, mark.symbol) : mark.word.padEnd(WORD_WIDTH);
  const duration = paint('dim', `(${formatDuration(result.durationMs)})`);
  const head = `${CASE_INDENT}${tag} ${result.info.id}  ${result.info.title}`;
  switch (result.status) {
    case 'passed':
      return `${head} ${duration}`;
    case 'failed':
      return `${head} ${duration} ${paint(SEVERITY_STYLES[result.info.severity], `[${result.info.severity}]`)}`;
    case 'skipped':
      return `${head} ${paint('dim', `(skipped: ${result.reason ?? 'no reason given'})`)}`;
    case 'expected-failure':
      return `${head} ${duration} ${paint('yellow', `(expected failure: ${result.reason ?? 'no reason given'})`)}`;
    case 'warned':
      return `${head} ${duration} ${paint('yellow', '(SHOULD-level deviation, not counted)')}`;
    case 'not-checked':
      return `${head} ${duration} ${paint('cyan', `(not checked: ${result.reason ?? 'no reason given'})`)}`;
  }
}

/** The WARNING block under a failed or warned case. */
export function renderWarningBlock(result: CaseResult, options: ConsoleRenderOptions): string[] {
  const paint = painter(options.color);
  const { severity, level } = result.info;
  const warning = messageOf(result);
  const grade = level === 'should' ? `${severity}, SHOULD-level` : `${severity}, MUST-level`;
  const note = result.status === 'warned' ? ' (not counted; a failure with --strict)' : '';
  const label = `[${grade}]${note}: `;
  const lines = [
    DETAIL_INDENT + paint(SEVERITY_STYLES[severity], paint('bold', 'WARNING')) + ' ' + label +
      indentContinuation(warning.trim(), DETAIL_INDENT.length + 'WARNING '.length + label.length),
  ];
  for (const row of alignRows(failureRows(result))) lines.push(`${DETAIL_INDENT}  ${indentContinuation(row, DETAIL_INDENT.length + 2)}`);
  const tail = options.transcriptTail ?? DEFAULT_TRANSCRIPT_TAIL;
  lines.push(...renderTranscript(result, options.verbose ? undefined : tail, paint));
  return lines;
}

function renderTranscript(result: CaseResult, tail: number | undefined, paint: Paint): string[] {
  if (tail === 0) return [];
  const excerpt = transcriptExcerpt(result.transcript, tail);
  return [
    `${DETAIL_INDENT}  ${transcriptHeading(excerpt)}`,
    ...excerpt.lines.map((line) => `${DETAIL_INDENT}    ${paint('dim', line)}`),
  ];
}

export function renderSuite(suite: string, results: CaseResult[], options: ConsoleRenderOptions): string {
  const paint = painter(options.color);
  const lines = ['', paint('bold', suite)];
  for (const result of results) {
    lines.push(renderCaseLine(result, options));
    if (result.status === 'failed' || result.status === 'warned') {
      lines.push(...renderWarningBlock(result, options));
    } else if (options.verbose && result.transcript.length > 0) {
      lines.push(...renderTranscript(result, undefined, paint));
    }
  }
  return lines.join('\n') + '\n';
}

export function renderRunStart(target: string, cases: CaseInfo[], capabilities: string[]): string {
  const suites = new Set(cases.map((info) => info.suite)).size;
  const lines = [`ftp-check: ${cases.length} case${plural(cases.length)} in ${suites} suite${plural(suites)} against ${target}`];
  if (capabilities.length > 0) lines.push(`server capabilities: ${capabilities.join(' ')}`);
  return lines.join('\n') + '\n';
}

/**
 * Counts per suite, the notes, and last the exact `summaryLine`, left
 * uncolored so that CI log parsers read it whatever the terminal.
 */
export function renderRunEnd(summary: RunSummary, results: CaseResult[], options: ConsoleRenderOptions, declared: CaseInfo[] = []): string {
  const paint = painter(options.color);
  const groups = groupBySuite(orderResults(results, declared));
  const width = Math.max(0, ...[...groups.keys()].map((suite) => suite.length));
  const lines = ['', paint('bold', 'Summary')];
  for (const [suite, suiteResults] of groups) {
    const counts = summarize(suiteResults, summary.target, 0);
    const extras = [
      counts.warned > 0 ? `${counts.warned} warned` : '',
      counts.expectedFailures > 0 ? `${counts.expectedFailures} expected failure${plural(counts.expectedFailures)}` : '',
    ].filter((part) => part.length > 0);
    lines.push(`  ${suite.padEnd(width)}  ${[summaryLine(counts), ...extras].join(', ')}`);
  }
  const missing = declared.filter((info) => !results.some((r) => r.info.suite === info.suite && r.info.id === info.id));
  if (missing.length > 0) {
    lines.push(paint('yellow', `${missing.length} case${plural(missing.length)} reported no result: ${missing.map((info) => `${info.suite}/${info.id}`).join(', ')}`));
  }
  const harnessErrors = results.filter((result) => result.harnessError !== undefined).length;
  if (harnessErrors > 0) {
    lines.push(paint('red', `${harnessErrors} harness error${plural(harnessErrors)} (a bug in ftp-check, not a fault of the target)`));
  }
  if (summary.warned > 0) {
    const one = summary.warned === 1;
    lines.push(paint('yellow', `${summary.warned} SHOULD-level deviation${one ? '' : 's'}, counted as ${one ? 'a failure' : 'failures'} with --strict`));
  }
  if (summary.notChecked > 0) {
    lines.push(paint('cyan', `${summary.notChecked} case${plural(summary.notChecked)} not checked: a step needed to reach the check went wrong (not counted; a failure with --strict)`));
  }
  for (const notice of summary.notices) lines.push(paint('yellow', `notice: ${notice}`));
  if (summary.expectedFailures > 0) {
    lines.push(`${summary.expectedFailures} expected failure${plural(summary.expectedFailures)} (listed in --expect-fail)`);
  }
  lines.push(`finished in ${formatDuration(summary.durationMs)}`);
  lines.push(summaryLine(summary));
  return lines.join('\n') + '\n';
}

function plural(count: number): string {
  return count === 1 ? '' : 's';
}

export function createConsoleReporter(options: ConsoleReporterOptions): Reporter {
  const render: ConsoleRenderOptions = {
    verbose: options.verbose,
    color: options.color,
    transcriptTail: options.transcriptTail ?? DEFAULT_TRANSCRIPT_TAIL,
  };
  let declared: CaseInfo[] = [];
  /** Per suite, the ids of declared cases that have not ended yet. */
  const pending = new Map<string, Set<string>>();
  const ended = new Map<string, CaseResult[]>();
  const printed = new Set<string>();

  const printSuite = (suite: string, results: CaseResult[]) => {
    printed.add(suite);
    options.write(renderSuite(suite, orderResults(results, declared), render));
  };

  return {
    onEvent(event: RunEvent): void {
      switch (event.type) {
        case 'run-start':
          declared = event.cases;
          pending.clear();
          ended.clear();
          printed.clear();
          for (const info of event.cases) {
            const ids = pending.get(info.suite) ?? new Set<string>();
            ids.add(info.id);
            pending.set(info.suite, ids);
          }
          options.write(renderRunStart(event.target, event.cases, event.capabilities));
          return;
        case 'case-start':
          return;
        case 'case-end': {
          const { suite, id } = event.result.info;
          const results = (ended.get(suite) ?? []).filter((result) => result.info.id !== id);
          results.push(event.result);
          ended.set(suite, results);
          const waiting = pending.get(suite);
          waiting?.delete(id);
          // A suite the run did not declare has no known size: it waits for run-end.
          if (waiting && waiting.size === 0 && !printed.has(suite)) printSuite(suite, results);
          return;
        }
        case 'run-end':
          // The run-end results are authoritative: suites not yet printed come from them.
          for (const [suite, results] of groupBySuite(orderResults(event.results, declared))) {
            if (!printed.has(suite)) printSuite(suite, results);
          }
          options.write(renderRunEnd(event.summary, event.results, render, declared));
          return;
      }
    },
  };
}
