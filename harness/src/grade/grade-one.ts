/**
 * Grades one server: a running target, or a submission folder started here.
 * Suites run one by one; before each, the server must still greet — a dead
 * server is restarted (penalised), a hung one is penalised and restarted; a
 * server that never comes up gets its marks with the reason. Cases beyond the
 * time budget are skipped with that reason.
 */
import type { LoadedCase, Role } from '../spec/types.ts';
import type { TargetProfile } from '../target/profile.ts';
import { probeTarget, removeTemporaryAccounts } from '../target/probe.ts';
import { runAll } from '../engine/runner.ts';
import { ExpectedFailures } from '../engine/expect-fail.ts';
import { caseInfo } from '../engine/case-runner.ts';
import type { CaseResult } from '../engine/results.ts';
import { caseCounts, grade, type Grade, type Penalty } from './score.ts';
import type { Rubric } from './rubric.ts';
import { ensureAccountsOnTarget, provisionAccounts } from './provision.ts';
import { startSubmission, type RunningSubmission, type SandboxOptions } from './submission.ts';

export interface GradeOneOptions {
  student: string;
  rubric: Rubric;
  cases: LoadedCase[];
  /** A server already running... */
  target?: { host: string; port: number };
  /** ...with the accounts given on the command line (--user, --profile…) instead of the rubric's. */
  targetProfile?: TargetProfile;
  /** ...or a folder with a server to start. */
  submission?: { dir: string; command: string; logDir: string };
  /** The sandbox each start of the submission runs in; absent only with --unsafe-no-sandbox. */
  sandbox?: SandboxOptions;
  jobs: number;
  onProgress?: (text: string) => void;
}

const MAX_RESTARTS = 2;

/** One suite of the rubric against the target, strict (a SHOULD-level deviation costs its points). */
async function runSuite(cases: LoadedCase[], profile: TargetProfile, capabilities: ReadonlySet<string>, jobs: number, rubric: Rubric): Promise<CaseResult[]> {
  const { results } = await runAll({
    cases,
    profile,
    capabilities,
    jobs,
    bail: false,
    strict: true,
    expectedFailures: new ExpectedFailures(),
    settings: { replyTimeoutMs: 5000, transferTimeoutMs: 30_000 },
    caseTimeoutMs: rubric.caseTimeoutSeconds * 1000,
    reporters: [],
  });
  return results;
}

function skippedAll(cases: LoadedCase[], reason: string): CaseResult[] {
  return cases.map((spec) => ({ info: caseInfo(spec), status: 'skipped', durationMs: 0, reason, transcript: [] }));
}

function profileFor(rubric: Rubric, host: string, port: number, root?: string): TargetProfile {
  const accounts: Partial<Record<Role, { name: string; password: string; limit?: number }>> = {};
  for (const role of ['user', 'user2', 'admin', 'quota', 'anonymous'] as const) {
    const account = rubric.accounts[role];
    if (account) accounts[role] = account;
  }
  return {
    host,
    port,
    tls: false,
    accounts,
    capabilities: { add: [], remove: [] },
    limits: rubric.limits ?? {},
    serverPaths: root ? [root] : [],
    anonymousFile: rubric.anonymousFile,
    name: `${host}:${port}`,
  };
}

function templateValues(rubric: Rubric): Record<string, string> {
  const values: Record<string, string> = {};
  for (const role of ['user', 'user2', 'admin', 'quota', 'anonymous'] as const) {
    const account = rubric.accounts[role];
    if (!account) continue;
    values[`${role}.name`] = account.name;
    values[`${role}.password`] = account.password;
    if (account.limit) values[`${role}.limit`] = String(account.limit);
  }
  return values;
}

export const ACCOUNTS_MISSING = "not checked: the rubric's accounts do not exist on the target";

/** A case that could not run for want of an account the target lacks is "not checked", never the server's failure. */
function markMissingAccounts(results: CaseResult[], cases: LoadedCase[], missing: Map<string, string>): CaseResult[] {
  if (missing.size === 0) return results;
  return results.map((result) => {
    const spec = cases.find((c) => c.id === result.info.id);
    const needed = [...missing.keys()].filter(
      (role) => spec?.requires?.includes(`role:${role}`) || (result.status === 'skipped' && new RegExp(`\\brole:${role}\\b`).test(result.reason ?? '')) || result.failure?.expected.some((text) => text === `an account for role ${role}`),
    );
    if (needed.length === 0 || result.status === 'passed' || result.status === 'failed') return result;
    return { ...result, status: 'not-checked', reason: `${ACCOUNTS_MISSING} (${needed.map((role) => missing.get(role)).join(', ')})` };
  });
}

/** A running target, graded with the flags' accounts or the rubric's (made there if the target lets us). Unreachable or silent: TargetError. */
async function gradeTarget(options: GradeOneOptions & { target: { host: string; port: number } }, cases: LoadedCase[], problems: string[], say: (text: string) => void): Promise<CaseResult[]> {
  const { rubric, target } = options;
  const profile = options.targetProfile ? { ...options.targetProfile, limits: { ...(rubric.limits ?? {}), ...options.targetProfile.limits }, anonymousFile: options.targetProfile.anonymousFile ?? rubric.anonymousFile } : profileFor(rubric, target.host, target.port);
  if (!options.targetProfile) problems.push(...(await ensureAccountsOnTarget(rubric.accounts, target.host, target.port).catch(() => [])));
  const before = new Map(Object.entries(profile.accounts).map(([role, account]) => [role, `${role} ${account.name}`]));
  const probed = await probeTarget(profile);
  const missing = new Map([...before].filter(([role]) => !profile.accounts[role as Role]));
  if (missing.size > 0) problems.push(`${ACCOUNTS_MISSING}: ${[...missing.values()].join(', ')} cannot log in (give them with --user/--user2/--admin/--profile, or let the target register them)`);
  const results: CaseResult[] = [];
  try {
    for (const suite of Object.keys(rubric.suites)) {
      const suiteCases = cases.filter((c) => c.suite === suite);
      if (suiteCases.length === 0) continue;
      say(`${options.student}: ${suite} (${suiteCases.length} cases)`);
      const suiteResults = await runSuite(suiteCases, profile, probed.capabilities, options.jobs, rubric);
      results.push(...markMissingAccounts(suiteResults, suiteCases, missing));
    }
  } finally {
    await removeTemporaryAccounts(profile, probed.temporary).catch(() => {});
  }
  return results;
}

export async function gradeOne(options: GradeOneOptions): Promise<Grade> {
  const { rubric, student } = options;
  const cases = options.cases.filter((c) => rubric.suites[c.suite] && caseCounts(rubric, c.suite, c.id));
  const say = options.onProgress ?? (() => {});
  const penalties: Penalty[] = [];
  const problems: string[] = [];
  const results: CaseResult[] = [];
  const deadline = Date.now() + rubric.timeLimitSeconds * 1000;
  let running: RunningSubmission | null = null;
  let restarts = 0;
  let serverStderr = '';
  const memoryPenalty = (detail: string) => {
    if (!penalties.some((p) => p.kind === 'memory')) penalties.push({ kind: 'memory', points: rubric.penalties.memory, detail });
  };
  const overLimit = `the kernel killed the server for using more than its ${rubric.memoryLimitMiB} MiB memory limit`;

  const start = async (): Promise<boolean> => {
    const submission = options.submission as NonNullable<GradeOneOptions['submission']>;
    const started = await startSubmission({ submission: submission.dir, command: submission.command, rubric, logDir: submission.logDir, values: templateValues(rubric), sandbox: options.sandbox });
    running = started.running;
    if ('problem' in started) {
      problems.push(started.problem.detail);
      if (started.problem.kind === 'hangs') penalties.push({ kind: 'hung', points: rubric.penalties.hung, detail: started.problem.detail });
      if (started.problem.kind === 'memory') memoryPenalty(started.problem.detail);
      await running.stop();
      serverStderr = running.stderrTail();
      running = null;
      return false;
    }
    const notes = await provisionAccounts(rubric, running.host, running.port);
    problems.push(...notes);
    return true;
  };

  const gradeSuites = async (): Promise<Grade> => {
    if (options.target) {
      results.push(...(await gradeTarget({ ...options, target: options.target }, cases, problems, say)));
      return grade(student, rubric, results, penalties, problems);
    }
    if (options.submission && !(await start())) {
      results.push(...skippedAll(cases, `not run: ${problems[problems.length - 1] ?? 'the server did not start'}`));
      return grade(student, rubric, results, penalties, problems);
    }
    for (const suite of Object.keys(rubric.suites)) {
      const suiteCases = cases.filter((c) => c.suite === suite);
      if (suiteCases.length === 0) continue;
      if (Date.now() > deadline) {
        results.push(...skippedAll(suiteCases, `not run: the time budget of ${rubric.timeLimitSeconds}s was used up`));
        continue;
      }
      if (options.submission) {
        const current = running as RunningSubmission | null;
        const alive = current !== null && !current.exited();
        const healthy = alive && (await current.healthy());
        if (!healthy) {
          // A kill for memory is charged as memory only: the restart that follows is not the student's second fault.
          const killedForMemory = current !== null && (await current.memory()).exceeded;
          if (killedForMemory) {
            memoryPenalty(`${overLimit} (seen before suite ${suite})`);
          } else if (current && alive) {
            penalties.push({ kind: 'hung', points: rubric.penalties.hung, detail: `before suite ${suite} the server no longer greeted new connections` });
          } else if (current && !penalties.some((p) => p.kind === 'crashed')) {
            penalties.push({ kind: 'crashed', points: rubric.penalties.crashed, detail: `the server died before suite ${suite} (${current.exitDescription()})` });
          }
          if (current) {
            await current.stop();
            serverStderr = current.stderrTail();
          }
          running = null;
          if (restarts >= MAX_RESTARTS) {
            results.push(...skippedAll(suiteCases, 'not run: the server kept failing and was not restarted again'));
            continue;
          }
          restarts++;
          if (!killedForMemory) penalties.push({ kind: 'restarted', points: rubric.penalties.restarted, detail: `restarted before suite ${suite}` });
          if (!(await start())) {
            results.push(...skippedAll(suiteCases, 'not run: the server did not come back after a restart'));
            continue;
          }
        }
      }
      const where = options.target ?? { host: (running as RunningSubmission | null)?.host ?? '127.0.0.1', port: (running as RunningSubmission | null)?.port ?? 0 };
      const profile = profileFor(rubric, where.host, where.port, (running as RunningSubmission | null)?.root);
      say(`${student}: ${suite} (${suiteCases.length} cases)`);
      let capabilities: Set<string>;
      try {
        capabilities = (await probeTarget(profile)).capabilities;
      } catch (error) {
        results.push(...skippedAll(suiteCases, `not run: ${(error as Error).message}`));
        continue;
      }
      const suiteResults = await runSuite(suiteCases, profile, capabilities, options.jobs, rubric);
      results.push(...suiteResults);
    }
    const last = running as RunningSubmission | null;
    if (last) {
      if ((await last.memory()).exceeded) memoryPenalty(`${overLimit} (seen after the last suite)`);
      else if (last.exited()) {
        if (!penalties.some((p) => p.kind === 'crashed')) penalties.push({ kind: 'crashed', points: rubric.penalties.crashed, detail: `the server died during the last suite (${last.exitDescription()})` });
      } else if (!(await last.healthy())) {
        penalties.push({ kind: 'hung', points: rubric.penalties.hung, detail: 'after the last suite the server no longer greeted new connections' });
      }
    }
    return grade(student, rubric, results, penalties, problems);
  };

  let marked: Grade;
  try {
    marked = await gradeSuites();
  } finally {
    const last = running as RunningSubmission | null;
    if (last) {
      const { leftovers, refusedForks } = await last.stop();
      serverStderr = last.stderrTail();
      if (leftovers.length > 0) problems.push(`processes left after stopping: ${leftovers.join(', ')}`);
      if (refusedForks > 0) problems.push(`the server tried to run more than ${rubric.maxProcesses} processes and threads at once; the kernel refused ${refusedForks} of its forks`);
    }
  }
  return serverStderr ? { ...marked, serverStderr } : marked;
}
