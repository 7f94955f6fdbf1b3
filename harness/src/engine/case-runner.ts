/**
 * Runs one case: checks its requirements, runs its steps under a time limit,
 * then its cleanup steps and the removal of its scratch folders, whatever
 * happened. The result says what failed, expected vs actual, with transcript.
 */
import type { LoadedCase, Role, Step } from '../spec/types.ts';
import type { TargetProfile } from '../target/profile.ts';
import { missingRequirements } from '../target/capabilities.ts';
import { InterpolationError } from './interpolate.ts';
import { CaseContext, StepFailure, type RunSettings } from './case-context.ts';
import { createScope, runSteps } from './steps.ts';
import { removeScratch } from './scratch.ts';
import type { CaseInfo, CaseResult, Level } from './results.ts';
import { FILE_MANAGER } from '../target/capabilities.ts';
import { verdictOf, type StepProblem } from './verdict.ts';
import { verbOfLine } from './root-cases.ts';
import { entriesFor, UNKNOWN_COMMAND_CODES } from '../protocol/reply-codes.ts';
import type { TranscriptEntry } from '../wire/transcript.ts';

/**
 * A case's level follows from its basis: the file-manager protocol binds only a target that claims it
 * (SHOULD-level notes elsewhere), hardening practice is never more than a SHOULD.
 */
export function levelOf(spec: LoadedCase, capabilities?: ReadonlySet<string>): Level {
  const declared = spec.level ?? 'must';
  if (spec.basis === 'hardening') return 'should';
  if (spec.basis === 'file-manager' && capabilities && !capabilities.has(FILE_MANAGER)) return 'should';
  return declared;
}

export function caseInfo(spec: LoadedCase, capabilities?: ReadonlySet<string>): CaseInfo {
  return {
    id: spec.id,
    suite: spec.suite,
    title: spec.title,
    severity: spec.severity,
    level: levelOf(spec, capabilities),
    references: spec.references,
    warning: spec.warning.trim(),
    file: `${spec.file}:${spec.line}`,
  };
}

/** `role:<r>` for every role a case logs in as: a case never needs to list them to be skipped without one. */
export function rolesUsed(spec: LoadedCase): string[] {
  const roles = new Set<string>();
  const walk = (steps: readonly Step[]) => {
    for (const step of steps) {
      if ('repeat' in step) walk(step.repeat.steps);
      else if ('parallel' in step) for (const branch of step.parallel) walk(branch.steps);
      else if ('login' in step) roles.add(`role:${step.login}`);
      else if ('connect' in step && typeof step.connect === 'string') roles.add(`role:${step.connect}`);
    }
  };
  walk(spec.steps);
  return [...roles].filter((role) => !(spec.requires ?? []).includes(role));
}

/**
 * A server need not implement an optional command (the IANA FTP commands registry, RFC 5797: CDUP, MKD, PWD,
 * RMD, SMNT, STOU, SYST): one that answers it 500/502 lacks a capability, as a missing FEAT feature does.
 */
function optionalCommandMissing(problem: StepProblem, transcript: readonly TranscriptEntry[]): string | undefined {
  const reply = problem.failure.reply;
  if (!reply || !UNKNOWN_COMMAND_CODES.includes(reply.code)) return undefined;
  const line = lastCommandSent(transcript);
  const entry = line === undefined ? undefined : entriesFor(line)[0];
  if (entry?.registry !== 'optional') return undefined;
  // 502 is "not implemented"; a 500 only when it names the verb: a stray 500 (a reply left over from an earlier
  // line, a server out of step) must not pass for a missing command.
  if (reply.code === 500 && !new RegExp(`\\b${entry.verb}\\b`, 'i').test(reply.text)) return undefined;
  return `the target does not implement ${entry.verb} (it answered ${reply.code}); ${entry.verb} is optional (${entry.registrySource.split(';')[0]})`;
}

/** The last command line the case sent on a control connection: the one a wrong reply answered. */
function lastCommandSent(transcript: readonly TranscriptEntry[]): string | undefined {
  return [...transcript].reverse().find((entry) => entry.direction === 'sent' && entry.channel !== 'data' && !entry.channel.endsWith(':data'))?.text;
}

export interface CaseRunOptions {
  profile: TargetProfile;
  capabilities: ReadonlySet<string>;
  settings: RunSettings;
  caseTimeoutMs: number;
  /** Verb -> the case that checks it: where a not-checked case's cascade points. */
  rootCases?: ReadonlyMap<string, string>;
  /** Resolves when the run's deadline passes: the case stops, not checked. */
  deadline?: Promise<void>;
}

/** `; NLST is checked by rfc959.nlst-names`: the case whose requirement the failed setup command is. */
function cascadePointer(spec: LoadedCase, problem: StepProblem, transcript: readonly TranscriptEntry[], roots: ReadonlyMap<string, string> | undefined): string {
  if (!roots || problem.role !== 'setup' || !problem.failure.reply) return '';
  const line = lastCommandSent(transcript);
  if (line === undefined) return '';
  const verb = verbOfLine(line);
  const root = roots.get(verb);
  return root && root !== spec.id ? `; ${verb} itself is checked by ${root}` : '';
}

export async function runCase(spec: LoadedCase, options: CaseRunOptions): Promise<CaseResult> {
  const info = caseInfo(spec, options.capabilities);
  const missing = missingRequirements([...(spec.requires ?? []), ...rolesUsed(spec)], options.capabilities);
  if (missing.length > 0) {
    return { info, status: 'skipped', durationMs: 0, reason: `the target does not offer ${missing.join(', ')}`, transcript: [] };
  }
  const started = Date.now();
  const context = new CaseContext(spec, options.profile, options.settings);
  let problem: StepProblem | undefined;
  let harnessError: string | undefined;
  const limit = spec.timeoutMs ?? options.caseTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), limit);
  });
  const deadlinePassed = (options.deadline ?? new Promise<never>(() => {})).then(() => 'deadline' as const);
  let stoppedByDeadline = false;
  try {
    const outcome = await Promise.race([runSteps(createScope(context), spec.steps).then(() => 'done' as const), timedOut, deadlinePassed]);
    if (outcome === 'deadline') {
      stoppedByDeadline = true;
      problem = { role: 'setup', failure: { step: context.running?.where ?? 'the case', expected: ['the case to end before the run\'s deadline'], actual: "the run's deadline passed" } };
      await context.closeAll();
    } else if (outcome === 'timeout') {
      // The step that was running when time ran out decides: a setup step that hangs says nothing of the requirement.
      const running = context.running;
      problem = {
        role: running?.role ?? 'check',
        failure: { step: running?.where ?? 'the whole case', expected: [`the case to finish within ${limit} ms`], actual: 'it did not: the server hung or was far too slow', observed: 'timeout' },
      };
      await context.closeAll();
    }
  } catch (error) {
    if (error instanceof StepFailure) problem = { failure: error.failure, role: error.role ?? 'check', stepWarning: error.stepWarning, checksData: error.checksData };
    // A variable the spec names but nothing set: the spec's fault, nothing learnt about the server.
    else if (error instanceof InterpolationError) problem = { role: 'setup', failure: { step: 'spec', expected: ['every ${variable} known'], actual: error.message } };
    else harnessError = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    clearTimeout(timer);
  }
  if (spec.cleanup && !stoppedByDeadline) {
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
  // A server path in a reply breaks the file-manager protocol ("no reply carries a server path"); for any other
  // server it is hardening practice, a SHOULD-level finding (no RFC forbids it).
  let leakLevel: Level | undefined;
  if (!problem && !harnessError && context.leaks.length > 0 && !options.capabilities.has(FILE_MANAGER)) leakLevel = 'should';
  if (!problem && !harnessError && context.leaks.length > 0) {
    const failure = { step: 'leak check', expected: ['no server-side path in any reply or listing'], actual: `found ${context.leaks[0]}`, detail: context.leaks.slice(1, 5).join('\n') || undefined };
    problem = { role: 'check', failure, stepWarning: `A reply or listing named a path on the server's own disk (${context.leaks[0]}): it tells every client where the server keeps its files, which helps an attacker aim a path traversal.` };
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
  if (!problem) return { info, status: 'passed', durationMs, transcript };
  const unimplemented = optionalCommandMissing(problem, transcript);
  if (unimplemented) return { info, status: 'skipped', durationMs, reason: unimplemented, transcript };
  const verdict = verdictOf(info, problem);
  if (verdict.status === 'failed') return { info: leakLevel ? { ...info, level: leakLevel } : info, status: 'failed', durationMs, failure: verdict.failure, message: verdict.message, transcript };
  const reason = stoppedByDeadline ? "the run's deadline passed" : verdict.reason + cascadePointer(spec, problem, transcript, options.rootCases);
  return { info, status: 'not-checked', durationMs, failure: verdict.failure, reason, message: `Not checked: ${reason}.`, transcript };
}
