/**
 * `ftp-check run --quiet`: the console report cut to what needs reading, each
 * failed (or warned) case with its WARNING block as it ends, then the summary.
 * The text comes from the console reporter's pure render functions, so a quiet
 * failure reads exactly like a loud one.
 */
import type { CaseInfo, Reporter, RunEvent } from '../engine/results.ts';
import { renderRunEnd, renderSuite, type ConsoleReporterOptions } from './console.ts';
import { DEFAULT_TRANSCRIPT_TAIL } from './format.ts';

export function createQuietReporter(options: ConsoleReporterOptions): Reporter {
  const render = { verbose: false, color: options.color, transcriptTail: options.transcriptTail ?? DEFAULT_TRANSCRIPT_TAIL };
  let declared: CaseInfo[] = [];
  return {
    onEvent(event: RunEvent): void {
      if (event.type === 'run-start') declared = event.cases;
      if (event.type === 'case-end' && (event.result.status === 'failed' || event.result.status === 'warned')) {
        options.write(renderSuite(event.result.info.suite, [event.result], render));
      }
      if (event.type === 'run-end') options.write(renderRunEnd(event.summary, event.results, render, declared));
    },
  };
}
