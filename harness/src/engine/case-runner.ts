/**
 * Runs one case: checks its requirements, runs its steps under a time limit,
 * then its cleanup steps and the removal of its scratch folders, whatever
 * happened. The result says what failed, expected vs actual, with transcript.
 */
import type { LoadedCase, Role } from '../spec/types.ts';
import type { TargetProfile } from '../target/profile.ts';
import { missingRequirements } from '../target/capabilities.ts';
import { InterpolationError } from './interpolate.ts';
import { CaseContext, StepFailure, type RunSettings } from './case-context.ts';
import { createScope, runSteps } from './steps.ts';
import { removeScratch } from './scratch.ts';
import type { CaseInfo, CaseResult, Failure } from './results.ts';

export function caseInfo(spec: LoadedCase): CaseInfo {
  return {
    id: spec.id,
    suite: spec.suite,
    title: spec.title,
    severity: spec.severity,
    level: spec.level ?? 'must',
    references: spec.references,
    warning: spec.warning.trim(),
    file: `${spec.file}:${spec.line}`,
  };
}

export interface CaseRunOptions {
  profile: TargetProfile;
  capabilities: ReadonlySet<string>;
  settings: RunSettings;
  caseTimeoutMs: number;
}

export async function runCase(spec: LoadedCase, options: CaseRunOptions): Promise<CaseResult> {
  const info = caseInfo(spec);
  const missing = missingRequirements(spec.requires ?? [], options.capabilities);
  if (missing.length > 0) {
    return { info, status: 'skipped', durationMs: 0, reason: `the target does not offer ${missing.join(', ')}`, transcript: [] };
  }
  const started = Date.now();
  const context = new CaseContext(spec, options.profile, options.settings);
  let failure: Failure | undefined;
  let harnessError: string | undefined;
  const limit = spec.timeoutMs ?? options.caseTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limit);
  });
  try {
    const outcome = await Promise.race([runSteps(createScope(context), spec.steps).then(() => 'done' as const), timedOut]);
    if (outcome === 'timeout') {
      failure = { step: 'the whole case', expected: [`the case to finish within ${limit} ms`], actual: 'it did not: the server hung or was far too slow' };
      await context.closeAll();
    }
  } catch (error) {
    if (error instanceof StepFailure) failure = error.failure;
    else if (error instanceof InterpolationError) failure = { step: 'spec', expected: ['every ${variable} known'], actual: error.message };
    else harnessError = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    clearTimeout(timer);
  }
  if (spec.cleanup) {
    let cleanupTimer: NodeJS.Timeout | undefined;
    try {
      const cleanupLimit = new Promise((resolve) => {
        cleanupTimer = setTimeout(resolve, limit);
      });
      await Promise.race([runSteps(createScope(context), spec.cleanup, 'cleanup '), cleanupLimit]);
    } catch (error) {
      context.transcript.note(`cleanup step failed: ${error instanceof StepFailure ? error.message : String(error)}`);
    } finally {
      // A timer left behind would keep the process alive up to a minute after the run.
      clearTimeout(cleanupTimer);
    }
  }
  if (!failure && !harnessError && context.leaks.length > 0) {
    failure = { step: 'leak check', expected: ['no server-side path in any reply or listing'], actual: `found ${context.leaks[0]}`, detail: context.leaks.slice(1, 5).join('\n') || undefined };
  }
  await context.closeAll();
  for (const [role, folder] of context.scratch) {
    const account = options.profile.accounts[role as Role];
    if (account) await removeScratch(options.profile, account, [folder], options.settings.replyTimeoutMs, (note) => context.transcript.note(note));
  }
  const durationMs = Date.now() - started;
  const transcript = context.transcript.entries();
  if (harnessError) {
    return { info, status: 'failed', durationMs, transcript, harnessError, failure: { step: 'ftp-check itself', expected: ['the harness to run the case'], actual: `internal error (a bug in ftp-check, not the target): ${harnessError.split('\n')[0]}` } };
  }
  return failure ? { info, status: 'failed', durationMs, failure, transcript } : { info, status: 'passed', durationMs, transcript };
}
