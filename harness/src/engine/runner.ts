/**
 * Runs a set of cases against one target with bounded concurrency, emitting
 * events to reporters. Cases marked `alone` run one by one after the others.
 * Applies --strict, --expect-fail and --bail to each result.
 */
import pLimit from 'p-limit';
import { SessionBudget, sessionBudget, sessionsOf } from './session-budget.ts';
import type { LoadedCase } from '../spec/types.ts';
import type { TargetProfile } from '../target/profile.ts';
import { caseInfo, runCase } from './case-runner.ts';
import { longestFirst } from './schedule.ts';
import type { RunSettings } from './case-context.ts';
import { summarize, type CaseResult, type Reporter, type RunEvent, type RunSummary } from './results.ts';
import type { ExpectedFailures } from './expect-fail.ts';

export interface RunOptions {
  cases: LoadedCase[];
  profile: TargetProfile;
  capabilities: ReadonlySet<string>;
  jobs: number;
  bail: boolean;
  strict: boolean;
  expectedFailures: ExpectedFailures;
  settings: RunSettings;
  caseTimeoutMs: number;
  reporters: Reporter[];
}

/** --strict, --expect-fail: what a raw pass or fail means for this run. */
export function judge(result: CaseResult, strict: boolean, expectedFailures: ExpectedFailures): CaseResult {
  const reason = expectedFailures.reasonFor(result.info.id);
  if (result.status === 'failed' && !result.harnessError && reason !== undefined) return { ...result, status: 'expected-failure', reason };
  if (result.status === 'passed' && reason !== undefined) {
    return {
      ...result,
      status: 'failed',
      failure: { step: 'expect-fail list', expected: [`the case to fail (${reason})`], actual: 'it passed: the deviation seems fixed; remove it from the expect-fail file' },
    };
  }
  if (result.status === 'failed' && !result.harnessError && result.info.level === 'should' && !strict) return { ...result, status: 'warned' };
  return result;
}

export async function runAll(options: RunOptions): Promise<{ summary: RunSummary; results: CaseResult[] }> {
  const started = Date.now();
  const emit = async (event: RunEvent) => {
    for (const reporter of options.reporters) await reporter.onEvent(event);
  };
  await emit({ type: 'run-start', target: options.profile.name, cases: options.cases.map(caseInfo), capabilities: [...options.capabilities].sort(), startedAt: started });
  const results: CaseResult[] = [];
  let bailed = false;
  const runOne = async (spec: LoadedCase) => {
    const info = caseInfo(spec);
    if (bailed) {
      const result: CaseResult = { info, status: 'skipped', durationMs: 0, reason: 'not run: --bail stopped the run after a failure', transcript: [] };
      results.push(result);
      await emit({ type: 'case-end', result });
      return;
    }
    await emit({ type: 'case-start', info });
    const result = judge(await runCase(spec, options), options.strict, options.expectedFailures);
    results.push(result);
    if (result.status === 'failed' && options.bail) bailed = true;
    await emit({ type: 'case-end', result });
  };
  const limit = pLimit(Math.max(1, options.jobs));
  const budget = new SessionBudget(sessionBudget(options.profile.limits) ?? Number.POSITIVE_INFINITY);
  await Promise.all(longestFirst(options.cases.filter((spec) => !spec.alone)).map((spec) => limit(() => budget.run(sessionsOf(spec), () => runOne(spec)))));
  for (const spec of options.cases.filter((c) => c.alone)) await runOne(spec);
  const order = new Map(options.cases.map((spec, index) => [spec.id, index]));
  results.sort((a, b) => (order.get(a.info.id) ?? 0) - (order.get(b.info.id) ?? 0));
  const summary = summarize(results, options.profile.name, Date.now() - started);
  await emit({ type: 'run-end', summary, results });
  return { summary, results };
}
