/**
 * Runs a set of cases against one target with bounded concurrency, emitting
 * events to reporters. Cases marked `alone` run one by one after the others;
 * cases that name the same `exclusive` state, one by one beside the others;
 * cases that mostly wait (`waits`), at once, beside the --jobs others.
 * Applies --strict, --expect-fail and --bail to each result; keeps the run
 * within the target's session limits and its deadline; notices a target that
 * stops answering and reports the rest as not checked, naming the case after
 * which it went silent.
 */
import { closedWhileIdle } from './culprit.ts';
import { SessionBudget, sessionBudget, sessionsOf } from './session-budget.ts';
import type { LoadedCase } from '../spec/types.ts';
import type { TargetProfile } from '../target/profile.ts';
import { caseInfo, runCase } from './case-runner.ts';
import { runShared } from './schedule.ts';
import type { RunSettings } from './case-context.ts';
import { summarize, type CaseInfo, type CaseResult, type Reporter, type RunEvent, type RunSummary } from './results.ts';
import type { ExpectedFailures } from './expect-fail.ts';
import { SessionGauge } from './session-gauge.ts';
import { rootCases } from './root-cases.ts';
import { targetStillAnswers } from './target-alive.ts';
import { safeEvent } from '../reporters/safe-event.ts';

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
  /** The whole run's time limit; cases not done by then are not checked. Default: defaultDeadlineMs. */
  deadlineMs?: number;
  /** Probe the target after a case that did not pass (default true). */
  watchTarget?: boolean;
}

/** A run's default deadline: a minute, plus three seconds a case. */
export function defaultDeadlineMs(cases: number): number {
  return 60_000 + 3_000 * cases;
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

/** The exit code of a run: 1 when a case failed, the target stopped answering (a finding even when the case that did it is not known), or, with --strict, a case was not checked; else 0. */
export function exitCodeOf(summary: RunSummary, strict: boolean): 0 | 1 {
  return summary.failed > 0 || summary.targetStoppedAfter !== undefined || (strict && summary.notChecked > 0) ? 1 : 0;
}

function notChecked(info: CaseInfo, reason: string): CaseResult {
  return { info, status: 'not-checked', durationMs: 0, reason, message: `Not checked: ${reason}.`, transcript: [] };
}

/** Did the case's trouble begin at its very first connection? Then it met a target already gone. */
function failedAtFirstConnect(result: CaseResult): boolean {
  const step = result.failure?.step ?? '';
  return /^(?:step 1: (?:login|connect)|connect \()/.test(step) && !result.transcript.some((entry) => entry.direction === 'received');
}

export async function runAll(options: RunOptions): Promise<{ summary: RunSummary; results: CaseResult[] }> {
  const started = Date.now();
  const notices: string[] = [];
  // Server text is escaped once, here, before any reporter sees it (however a caller wired its reporters).
  const emit = async (event: RunEvent) => {
    const safe = safeEvent(event);
    for (const reporter of options.reporters) await reporter.onEvent(safe);
  };
  const notice = async (message: string) => {
    notices.push(message);
    await emit({ type: 'notice', message });
  };
  const infoOf = (spec: LoadedCase) => caseInfo(spec, options.capabilities);
  await emit({ type: 'run-start', target: options.profile.name, cases: options.cases.map(infoOf), capabilities: [...options.capabilities].sort(), startedAt: started });

  const budget = new SessionBudget(sessionBudget(options.profile.limits) ?? Number.POSITIVE_INFINITY);
  const gauge = new SessionGauge();
  gauge.onLimit((limit) => {
    budget.shrinkTo(limit);
    void notice(`the target refused a session while ftp-check held ${limit + 1}: its limit for this run's accounts is about ${limit}; cases now open at most that many at once, and refused sessions were retried`);
  });
  const settings: RunSettings = { ...options.settings, gauge };
  const roots = rootCases(options.cases);

  const deadlineMs = options.deadlineMs ?? defaultDeadlineMs(options.cases.length);
  let deadlineTimer: NodeJS.Timeout | undefined;
  let deadlinePassed = false;
  const deadline = new Promise<void>((resolve) => {
    deadlineTimer = setTimeout(() => {
      deadlinePassed = true;
      resolve();
    }, deadlineMs);
  });

  const results: CaseResult[] = [];
  let bailed = false;
  /** Set once the target stops answering: the case after which it did. */
  let wentSilentAfter: string | undefined;
  let lastEnded: string | undefined;
  const silentReason = () => `the target stopped answering after ${wentSilentAfter}`;

  /** Cases running now, to name the ones beside a case during which the target went silent. */
  const running = new Set<string>();
  /** After a case that did not pass: is the target still there? Returns the result as the run reports it. */
  const watch = async (result: CaseResult): Promise<CaseResult> => {
    if (options.watchTarget === false || wentSilentAfter !== undefined) return result;
    if (result.status === 'passed' || result.status === 'skipped' || deadlinePassed) return result;
    if (await targetStillAnswers(options.profile.host, options.profile.port, settings.replyTimeoutMs)) return result;
    if (wentSilentAfter !== undefined) return result;
    const id = result.info.id;
    // A case whose first connection already went unanswered met a target that an earlier case took down.
    if (failedAtFirstConnect(result) && lastEnded) {
      wentSilentAfter = lastEnded;
      await notice(`the target stopped answering after ${wentSilentAfter} (a finding in itself: that case took it down); the cases after it are not checked`);
      return result;
    }
    wentSilentAfter = id;
    const beside = [...running].filter((other) => other !== id);
    if (beside.length === 0 || (result.status === 'failed' && !closedWhileIdle(result))) {
      await notice(`the target stopped answering after ${id} (a finding in itself: that case took it down); the cases after it are not checked`);
      return result;
    }
    // Its setup met the silence, or it was idle when its connection closed, and other cases ran beside it: which
    // of them took the target down is not known.
    await notice(`the target stopped answering during ${id}, with ${beside.join(', ')} running beside it (one of them took it down); the cases after it are not checked`);
    return { ...notChecked(result.info, `the target stopped answering during this case (${beside.join(', ')} ran beside it)`), durationMs: result.durationMs, transcript: result.transcript };
  };

  const finish = async (result: CaseResult) => {
    results.push(result);
    if (result.status === 'failed' && options.bail) bailed = true;
    await emit({ type: 'case-end', result });
  };

  const runOne = async (spec: LoadedCase) => {
    const info = infoOf(spec);
    if (bailed) return finish({ info, status: 'skipped', durationMs: 0, reason: 'not run: --bail stopped the run after a failure', transcript: [] });
    if (deadlinePassed) return finish(notChecked(info, `the run's deadline (${Math.round(deadlineMs / 1000)} s, --deadline) passed`));
    if (wentSilentAfter !== undefined) return finish(notChecked(info, silentReason()));
    const limit = gauge.limitFound();
    const needs = sessionsOf(spec) - 1;
    // A case that tests the limits goes past them on purpose; any other must fit within what the target allows.
    if (limit !== undefined && needs > limit && !(spec.requires ?? []).some((name) => name.startsWith('limit:'))) {
      return finish(notChecked(info, `the case needs ${needs} sessions at once, and the target allowed about ${limit} (it refused one more as too many)`));
    }
    await emit({ type: 'case-start', info });
    running.add(spec.id);
    let result = judge(await runCase(spec, { ...options, settings, rootCases: roots, deadline }), options.strict, options.expectedFailures);
    result = await watch(result);
    running.delete(spec.id);
    // A case that ran beside the one that took the target down learnt nothing from its failure.
    if (wentSilentAfter !== undefined && wentSilentAfter !== spec.id && result.status !== 'passed' && result.status !== 'skipped') {
      result = { ...notChecked(info, silentReason()), durationMs: result.durationMs, transcript: result.transcript };
    } else if (wentSilentAfter === spec.id && result.status === 'failed' && result.failure) {
      result = { ...result, failure: { ...result.failure, detail: [result.failure.detail, 'the target stopped answering after this case'].filter(Boolean).join('\n') } };
    }
    lastEnded = spec.id;
    await finish(result);
  };

  try {
    await runShared(
      options.cases.filter((spec) => !spec.alone),
      options.jobs,
      (spec) => budget.run(sessionsOf(spec), () => runOne(spec)),
    );
    for (const spec of options.cases.filter((c) => c.alone)) await runOne(spec);
  } finally {
    clearTimeout(deadlineTimer);
  }
  if (deadlinePassed) await notice(`the run's deadline (${Math.round(deadlineMs / 1000)} s) passed: the cases not done by then are not checked (raise it with --deadline)`);
  const order = new Map(options.cases.map((spec, index) => [spec.id, index]));
  results.sort((a, b) => (order.get(a.info.id) ?? 0) - (order.get(b.info.id) ?? 0));
  const summary = summarize(results, options.profile.name, Date.now() - started, notices, wentSilentAfter);
  await emit({ type: 'run-end', summary, results });
  return { summary, results };
}
