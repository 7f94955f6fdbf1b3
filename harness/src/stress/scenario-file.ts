/**
 * `--scenario FILE`: a YAML file whose `steps:` list (the spec language, checked
 * against the spec schema's step definitions) is one iteration. The steps run
 * through the case engine itself, one at a time so each is timed as an operation
 * named by its verb (CWD, RETR, STOR, LIST, NOOP...). `login: user` logs in as the
 * client's account (one of --users/--accounts, or the profile's user); `${scratch}`
 * is a folder made once per account before the load and removed after it.
 *
 *   name: browse and fetch
 *   steps:
 *     - login: user
 *     - put: report-${client}.txt
 *       random: 4096
 *       remember: report
 *     - get: report-${client}.txt
 *       data: { equalsContentOf: report }
 *     - quit: true
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseStepsDocument, SpecError, stepKind } from '../spec/loader.ts';
import type { LoadedCase, Role, Step } from '../spec/types.ts';
import { CaseContext, StepFailure } from '../engine/case-context.ts';
import { createScope, runSteps } from '../engine/steps.ts';
import { InterpolationError } from '../engine/interpolate.ts';
import { removeScratch } from '../engine/scratch.ts';
import type { Account, TargetProfile } from '../target/profile.ts';
import { TargetError } from '../target/profile.ts';
import type { ErrorKind } from './metrics.ts';
import { StressFailure, StressSession, type OpRecorder } from './session.ts';
import { UNMEASURED, type Scenario, type ScenarioEnv, type Worker } from './scenarios.ts';

export interface ScenarioFile {
  name: string;
  steps: Step[];
  /** Roles the steps log in as. */
  roles: Role[];
}

const ROLES: readonly Role[] = ['user', 'user2', 'admin', 'quota', 'anonymous'];

function rolesOf(steps: readonly Step[], into: Set<Role>): Set<Role> {
  for (const step of steps as unknown as Record<string, unknown>[]) {
    if (typeof step.login === 'string' && ROLES.includes(step.login as Role)) into.add(step.login as Role);
    if (typeof step.connect === 'string' && ROLES.includes(step.connect as Role)) into.add(step.connect as Role);
    const repeat = step.repeat as { steps?: Step[] } | undefined;
    if (repeat?.steps) rolesOf(repeat.steps, into);
    const parallel = step.parallel as { steps?: Step[] }[] | undefined;
    if (Array.isArray(parallel)) for (const branch of parallel) if (branch.steps) rolesOf(branch.steps, into);
  }
  return into;
}

/** Reads and checks a scenario file; problems are a SpecError naming file and line (exit 2). */
export async function loadScenarioFile(file: string): Promise<ScenarioFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SpecError([`${file}: cannot read the scenario file: ${(error as Error).message}`]);
  }
  const parsed = parseStepsDocument(text, file, ['name', 'description']);
  if (parsed.problems.length > 0) throw new SpecError(parsed.problems);
  const name = typeof parsed.document.name === 'string' ? parsed.document.name : file;
  return { name, steps: parsed.steps, roles: [...rolesOf(parsed.steps, new Set())] };
}

/** The operation a step counts as; null for steps that do no I/O (set, assert, sleep, barrier). */
export function opNameOf(step: Step): string | null {
  const body = step as unknown as Record<string, unknown>;
  const kind = stepKind(body);
  switch (kind) {
    case 'send': return String(body.send).trim().split(/\s+/)[0]?.toUpperCase() || 'send';
    case 'site': return `SITE ${String(body.site).trim().split(/\s+/)[0]?.toUpperCase() ?? ''}`.trim();
    case 'get': return 'RETR';
    case 'put': return typeof body.command === 'string' ? body.command : 'STOR';
    case 'list': return typeof body.command === 'string' ? body.command : 'LIST';
    case 'data': return String(body.command).trim().split(/\s+/)[0]?.toUpperCase() || 'data';
    case 'cd': return 'CWD';
    case 'mkdir': return 'MKD';
    case 'rmdir': return 'RMD';
    case 'delete': return 'DELE';
    case 'size': return 'SIZE';
    case 'quit': return 'QUIT';
    case 'set': case 'assert': case 'sleep': case 'barrier': case null: return null;
    default: return kind;
  }
}

/** The kind of a failed step, read from its expected-vs-actual words. */
export function classifyStepFailure(step: Step, actual: string): { kind: ErrorKind; key: string } {
  const kind = stepKind(step as unknown as Record<string, unknown>);
  const reply = /^reply (\d{3})\b/.exec(actual);
  if (reply) return reply[1] === '421' ? { kind: '421', key: '421' } : { kind: 'reply', key: `reply ${reply[1]}` };
  if ((kind === 'get' || kind === 'list' || kind === 'data') && /^data |bytes(,| that differ|$)/.test(actual)) return { kind: 'corrupt', key: 'corrupt' };
  if (/reset|ECONNRESET|EPIPE/i.test(actual)) return { kind: 'reset', key: 'reset' };
  if (/refused/i.test(actual)) return { kind: 'refused', key: 'refused' };
  if (/no reply within|within \d+ ms|timed out/i.test(actual)) return { kind: 'timeout', key: 'timeout' };
  if (/closed/i.test(actual)) return { kind: 'closed', key: 'closed' };
  if (/data connection/i.test(actual)) return { kind: 'data', key: 'data' };
  return { kind: 'other', key: 'step failed' };
}

export class FileScenario implements Scenario {
  readonly shape = 'session';
  readonly needsAccount: boolean;
  readonly writes = true;
  private env!: ScenarioEnv;
  /** Per account name: the scratch folder made for it at setup. */
  private readonly scratch = new Map<string, { account: Account; folder: string }>();
  private readonly spec: LoadedCase;

  constructor(private readonly file: ScenarioFile) {
    this.needsAccount = file.roles.length > 0;
    this.spec = {
      id: 'stress.scenario',
      suite: 'stress',
      title: file.name,
      severity: 'info',
      references: ['ftp-check stress --scenario'],
      warning: 'A stress scenario step failed.',
      steps: file.steps,
      file: file.name,
      line: 1,
    };
  }

  get name(): string {
    return this.file.name;
  }

  /** The accounts each role maps to: `user` is the client's own, the others the profile's. */
  private accountFor(role: Role, worker: Worker | null): Account | undefined {
    if (role === 'user' && worker?.account) return worker.account;
    return this.env.profile.accounts[role];
  }

  async setup(env: ScenarioEnv): Promise<void> {
    this.env = env;
    for (const role of this.file.roles) {
      if (role !== 'user' && !env.profile.accounts[role]) throw new TargetError(`scenario ${this.file.name} logs in as ${role}, but the target has no ${role} account`);
    }
    const accounts = new Map<string, Account>();
    for (const role of this.file.roles) {
      if (role === 'anonymous') continue;
      for (const account of role === 'user' ? env.accounts : [env.profile.accounts[role] as Account]) accounts.set(account.name, account);
    }
    for (const account of accounts.values()) {
      const session = await StressSession.open(env.settings, UNMEASURED, 'setup').catch((e: unknown) => {
        throw new TargetError(`stress setup: cannot connect: ${(e as Error).message}`);
      });
      try {
        await session.login(account);
        const pwd = await session.command('PWD', [257]);
        const root = (/"((?:[^"]|"")*)"/.exec(pwd.message)?.[1]?.replace(/""/g, '"') ?? '/').replace(/\/$/, '');
        const folder = `${root}/ftpcs-${env.runId}-scratch`;
        await session.command(`MKD ${folder}`, [257]);
        this.scratch.set(account.name, { account, folder });
      } catch (error) {
        throw new TargetError(`stress setup: cannot make a scratch folder as ${account.name}: ${(error as Error).message}`);
      } finally {
        await session.release();
      }
    }
  }

  async iterate(worker: Worker, recorder: OpRecorder): Promise<void> {
    const accounts: TargetProfile['accounts'] = { ...this.env.profile.accounts };
    if (worker.account) accounts.user = worker.account;
    const profile: TargetProfile = { ...this.env.profile, accounts };
    const context = new CaseContext(this.spec, profile, { replyTimeoutMs: this.env.options.timeoutMs, transferTimeoutMs: this.env.settings.transferTimeoutMs });
    context.variables.set('client', String(worker.id));
    context.variables.set('iteration', String(worker.seq));
    worker.seq += 1;
    for (const role of this.file.roles) {
      const account = this.accountFor(role, worker);
      const made = account ? this.scratch.get(account.name) : undefined;
      if (made) context.scratch.set(role, made.folder);
    }
    const scope = createScope(context);
    // Sessions are opened by connect and login steps inside the engine: count each new one.
    const seen = new Set<unknown>();
    const countNewSessions = (): void => {
      for (const session of context.sessions.values()) {
        if (seen.has(session.control) || session.control.isClosed()) continue;
        seen.add(session.control);
        recorder.sessionOpened();
      }
    };
    try {
      for (const [index, step] of this.file.steps.entries()) {
        const op = opNameOf(step);
        const start = performance.now();
        try {
          await runSteps(scope, [step], `${index + 1}`);
        } catch (error) {
          const name = op ?? 'step';
          const tail = context.transcript.tail(12);
          if (error instanceof StepFailure) {
            const { kind, key } = classifyStepFailure(step, error.failure.actual);
            const failure = new StressFailure(name, kind, key, `${error.failure.step}: expected ${error.failure.expected.join(' / ')}, got ${error.failure.actual}`);
            recorder.failure(failure, tail);
            throw failure;
          }
          if (error instanceof InterpolationError) {
            const failure = new StressFailure(name, 'other', 'scenario error', `step ${index + 1}: ${error.message}`);
            recorder.failure(failure, tail);
            throw failure;
          }
          throw error;
        }
        countNewSessions();
        if (op !== null) recorder.success(op, start, performance.now());
      }
    } finally {
      await context.closeAll();
    }
  }

  async release(): Promise<void> {}

  async teardown(env: ScenarioEnv): Promise<void> {
    for (const { account, folder } of this.scratch.values()) await removeScratch(env.profile, account, [folder], env.options.timeoutMs, env.note);
  }
}
