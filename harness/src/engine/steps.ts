/**
 * Runs spec steps against a target. Each step turns into wire-level actions;
 * every result is checked against the step's expectation (or a sensible
 * default) and a mismatch throws a StepFailure with expected vs actual.
 */
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import { openDataChannel, type DataMode } from '../wire/data-channel.ts';
import { runTransfer } from '../wire/transfer.ts';
import type { Outcome } from '../wire/outcome.ts';
import type { ReplyExpectation, Role, Step, PutStep, GetStep, ListStep, DataStep, DataExpectation } from '../spec/types.ts';
import { stepKind } from '../spec/loader.ts';
import { captureFrom, checkData, checkReply, describeExpectation, describeOutcome } from './expect.ts';
import type { Reply } from '../wire/reply-parser.ts';
import type { CaseContext} from './case-context.ts';
import { StepFailure, type CaseSession, type StepRoleName } from './case-context.ts';
import { Barriers } from './barrier.ts';
import { interpolateNumber } from './interpolate.ts';
import { isTooManySessions } from './session-gauge.ts';
import { escapeForDisplay } from '../wire/escape.ts';
import { downloadLimit, LISTING_LIMIT_BYTES } from './receive-limit.ts';

type AnyStep = Record<string, unknown> & { session?: string; expect?: ReplyExpectation; note?: string; check?: boolean; warning?: string };

interface Scope {
  context: CaseContext;
  barriers: Barriers | null;
  /** Session used by steps that name none (a parallel branch's own session). */
  defaultSession: string;
  /** The `check:` of the enclosing repeat/parallel, which its steps take unless they say otherwise. */
  checkDefault?: boolean;
  /** The part of the step running now: decides whether a leak in its replies counts against the case. */
  role: StepRoleName;
  /** The step says `check: true`: its unstated default expectations are the check too. */
  explicitCheck?: boolean;
}

/** Options by which a step states an expectation of its own (besides `expect`). */
const OWN_EXPECTATIONS: Record<string, readonly string[]> = {
  get: ['data', 'preliminary'],
  list: ['data', 'preliminary'],
  put: ['preliminary'],
  data: ['data', 'preliminary', 'open'],
  size: ['equals'],
  tcpConnect: ['open', 'received'],
};

/**
 * Is this step the check of the case's requirement, or setup to get there? `check:` says so; else the
 * enclosing container's `check:`; else a step is a check when it states an expectation of its own.
 */
export function isCheckStep(step: Record<string, unknown>, inherited?: boolean): boolean {
  if (typeof step.check === 'boolean') return step.check;
  if (inherited !== undefined) return inherited;
  const kind = stepKind(step) ?? '';
  if (kind === 'assert') return true;
  if (step.expect !== undefined) return true;
  return (OWN_EXPECTATIONS[kind] ?? []).some((option) => step[option] !== undefined);
}

/**
 * The expectations a step falls back on when the spec states none. Failing one of them is setup, unless
 * the step says `check: true`: a case checks what it states (a listing's content), not what it assumes
 * on the way (that NLST works at all, which a case of its own checks).
 */
const UNSTATED = new WeakSet<ReplyExpectation>();
function unstated(expectation: ReplyExpectation): ReplyExpectation {
  UNSTATED.add(expectation);
  return expectation;
}

/** Scaffolding that is setup whatever the step's role: the greeting before a login, the scratch folder, TLS. */
function setupFailure(failure: ConstructorParameters<typeof StepFailure>[0]): StepFailure {
  return new StepFailure(failure, 'setup');
}

/** Runs `work` as setup: a StepFailure it throws is marked setup. */
async function asSetup<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StepFailure && error.role === undefined) error.role = 'setup';
    throw error;
  }
}

/** `step 3: send CWD /home/u` with variables expanded (when they can be) and raw bytes (NUL, CR) escaped. */
function label(step: AnyStep, index: string, expand: (value: string) => string = (value) => value): string {
  const kind = stepKind(step) ?? '?';
  const value = step[kind];
  let text = typeof value === 'string' ? value : '';
  try {
    text = expand(text);
  } catch {
    // an unknown variable is the step's own failure to report; the label shows it unexpanded
  }
  const shown = typeof value === 'string' ? ` ${escapeForDisplay(text.length > 80 ? `${text.slice(0, 80)}…` : text)}` : '';
  const session = step.session ? ` [${step.session}]` : '';
  return `step ${index}: ${kind}${shown}${session}${step.note ? ` (${step.note})` : ''}`;
}

/** Checks an outcome; captures variables from it when asked. */
function expectReply(scope: Scope, outcome: Outcome, expectation: ReplyExpectation, where: string, closedAfter?: boolean): void {
  const failure = checkReply(outcome, expectation, where, closedAfter);
  if (failure) throw new StepFailure(failure, UNSTATED.has(expectation) && !scope.explicitCheck ? 'setup' : undefined);
  if (outcome.kind === 'reply') {
    scope.context.checkLeak(outcome.reply.raw, where, scope.role);
    if (expectation.tally && outcome.reply.code >= 200 && outcome.reply.code < 300) {
      const { variables } = scope.context;
      variables.set(expectation.tally, String(Number(variables.get(expectation.tally) ?? '0') + 1));
    }
    if (expectation.captureCode) scope.context.variables.set(expectation.captureCode, String(outcome.reply.code));
    if (expectation.capture) {
      const { values, missing } = captureFrom(outcome.reply, expectation.capture);
      if (missing.length > 0) throw new StepFailure({ step: where, expected: [`a reply from which to take ${missing.join(', ')}`], actual: describeOutcome(outcome) });
      for (const [name, value] of values) scope.context.variables.set(name, value);
    }
  } else if (outcome.kind === 'closed' && expectation.captureCode) {
    scope.context.variables.set(expectation.captureCode, 'closed');
  }
}

async function command(scope: Scope, session: CaseSession, line: string, expectation: ReplyExpectation, where: string): Promise<Outcome> {
  const timeout = expectation.timeoutMs ?? scope.context.settings.replyTimeoutMs;
  if (session.control.isClosed()) {
    // A step that allows a closed connection holds when it is closed already (e.g. after a lockout).
    const closed: Outcome = { kind: 'closed', reason: session.control.closedReason() ?? 'closed' };
    if (expectation.orClosed || expectation.closed) {
      expectReply(scope, closed, expectation, where);
      return closed;
    }
    throw new StepFailure({ step: where, expected: [`to send ${line.split(' ')[0]}`], actual: `the connection was already closed (${session.control.closedReason() ?? 'closed'})`, observed: 'closed' });
  }
  const started = Date.now();
  const outcome = await session.control.command(line, timeout);
  const tookMs = Date.now() - started;
  // No reply within the wait is the longest delay of all (e.g. a server that slows each failed login more).
  if (expectation.minDelayMs !== undefined && outcome.kind === 'timeout' && timeout >= expectation.minDelayMs) return outcome;
  let closedAfter: boolean | undefined;
  if (expectation.closed && outcome.kind === 'reply') closedAfter = (await session.control.waitForClose(timeout)).kind === 'closed';
  expectReply(scope, outcome, expectation, where, closedAfter);
  if (expectation.minDelayMs !== undefined && outcome.kind === 'reply' && tookMs < expectation.minDelayMs) {
    throw new StepFailure({ step: where, expected: [`a reply delayed by at least ${expectation.minDelayMs} ms${expectation.orClosed ? ', or the connection closed' : ''}`], actual: `${describeOutcome(outcome)} after ${tookMs} ms` });
  }
  return outcome;
}

/** Would a reply with this code satisfy the expectation's codes and classes? (A limits case expects a 421.) */
function accepts(expectation: ReplyExpectation, code: number): boolean {
  if (expectation.closed || expectation.orClosed) return true;
  const codes = expectation.codes ?? (expectation.code !== undefined ? [expectation.code] : undefined);
  if (codes) return codes.includes(code);
  if (expectation.class === undefined) return true;
  const classes = Array.isArray(expectation.class) ? expectation.class : [expectation.class];
  return classes.includes(Math.floor(code / 100));
}

const LOGIN_RETRIES = 6;

async function ensureLoggedIn(scope: Scope, sessionName: string, role: Role, expectation: ReplyExpectation | undefined, where: string, stayAtRoot: boolean): Promise<void> {
  const { context } = scope;
  const account = context.profile.accounts[role];
  if (!account) throw setupFailure({ step: where, expected: [`an account for role ${role}`], actual: 'the target profile has none (the case should have required role:' + role + ')' });
  const wanted = expectation ?? unstated({ code: 230, because: `${role} ${account.name} logs in` });
  const acceptsTooMany = expectation !== undefined && accepts(expectation, 421);
  let session = context.sessions.get(sessionName);
  let final: Outcome;
  for (let retry = 0; ; retry++) {
    if (!session || session.control.isClosed()) {
      // Connecting is the way to the login, unless the login itself is the check (`check: true`).
      const connectScope: Scope = { ...scope, role: scope.explicitCheck ? 'check' : 'setup' };
      const connectAndGreet = async () => {
        const connected = await context.connect(sessionName, acceptsTooMany);
        expectReply(connectScope, connected.greeting, { code: 220 }, `${where} (greeting)`);
        if (context.profile.tls) await startTls(connectScope, connected.session, where);
        return connected.session;
      };
      session = scope.explicitCheck ? await connectAndGreet() : await asSetup(connectAndGreet);
    }
    const user = await session.control.command(`USER ${account.name}`, context.settings.replyTimeoutMs);
    final = user;
    if (user.kind === 'reply' && user.reply.code === 331) final = await session.control.command(`PASS ${account.password}`, context.settings.replyTimeoutMs);
    // Over a per-user limit some servers refuse the login itself: wait for this run's other sessions, as at connect.
    const gauge = context.settings.gauge;
    const refused = final.kind === 'reply' && isTooManySessions(final.reply.code, final.reply.message);
    if (!refused || acceptsTooMany || !gauge || gauge.open() <= 1 || retry >= LOGIN_RETRIES) break;
    gauge.limitMet(gauge.open());
    context.transcript.note('the login was refused as one session too many while ftp-check held others: trying again once they close');
    await session.control.close();
    await new Promise((resolve) => setTimeout(resolve, 500 * (retry + 1)));
  }
  expectReply(scope, final, wanted, where);
  // 202 to PASS: "superfluous", the account needed no password (RFC 959 §5.4): logged in all the same.
  if (final.kind !== 'reply' || (final.reply.code !== 230 && final.reply.code !== 202)) return;
  session.role = role;
  if (role === 'anonymous' || stayAtRoot) return;
  const loggedIn = session;
  await asSetup(() => enterScratch({ ...scope, role: 'setup' }, loggedIn, role, where));
}

async function startTls(scope: Scope, session: CaseSession, where: string): Promise<void> {
  await command(scope, session, 'AUTH TLS', { code: 234 }, `${where} (AUTH TLS)`);
  await session.control.upgradeToTls({ rejectUnauthorized: false });
  await command(scope, session, 'PBSZ 0', { code: 200 }, `${where} (PBSZ)`);
  await command(scope, session, 'PROT P', { code: 200 }, `${where} (PROT P)`);
}

/** The role's fresh folder for this case: made at its first login, entered at every login. */
async function enterScratch(scope: Scope, session: CaseSession, role: Role, where: string): Promise<void> {
  const { context } = scope;
  let folder = context.scratch.get(role);
  if (!folder) {
    const pwd = await command(scope, session, 'PWD', { code: 257 }, `${where} (PWD)`);
    const root = pwd.kind === 'reply' ? (/"((?:[^"]|"")*)"/.exec(pwd.reply.message)?.[1]?.replace(/""/g, '"') ?? '/') : '/';
    const slug = context.spec.id.replace(/[^a-z0-9]+/g, '-').slice(0, 40);
    folder = `${root.replace(/\/$/, '')}/ftpc-${slug}-${randomBytes(3).toString('hex')}`;
    await command(scope, session, `MKD ${folder}`, { code: 257, because: 'ftp-check makes a scratch folder for each case' }, `${where} (scratch MKD)`);
    context.scratch.set(role, folder);
  }
  await command(scope, session, `CWD ${folder}`, { code: 250 }, `${where} (CWD scratch)`);
}

function dataMode(mode: string | undefined): DataMode {
  return (mode as DataMode | undefined) ?? 'pasv';
}

async function openChannel(scope: Scope, session: CaseSession, mode: DataMode, where: string, expectation?: ReplyExpectation, maxReceiveBytes?: number, channelOptions: { activeHost?: string; readBytesPerSecond?: number } = {}) {
  const { context } = scope;
  const opened = await openDataChannel(session.control, mode, { timeoutMs: context.settings.replyTimeoutMs, tls: context.profile.tls || session.protectData, maxReceiveBytes, ...channelOptions });
  if ('error' in opened) {
    if (expectation && opened.outcome) {
      expectReply(scope, opened.outcome, expectation, `${where} (${mode.toUpperCase()})`);
      return null;
    }
    // Without an expectation of its own, the data channel is only the way to the check.
    throw new StepFailure({ step: `${where} (${mode.toUpperCase()})`, expected: ['a data channel'], actual: opened.outcome ? `${describeOutcome(opened.outcome)}: ${opened.error}` : opened.error }, expectation ? undefined : 'setup');
  }
  if (expectation) expectReply(scope, { kind: 'reply', reply: opened.reply }, expectation, `${where} (${mode.toUpperCase()})`);
  scope.context.checkLeak(opened.reply.raw, where, scope.role);
  return opened.channel;
}

/** One transfer command over a fresh data channel; returns the data received and the final outcome. */
async function transfer(
  scope: Scope,
  session: CaseSession,
  mode: DataMode,
  line: string,
  options: { upload?: Buffer; stopAfter?: number; receiveLimit?: number; expectation: ReplyExpectation; preliminary?: ReplyExpectation; where: string; rest?: number; sendBefore?: string[]; readBytesPerSecond?: number; writeBytesPerSecond?: number },
): Promise<{ data?: Buffer; final: Outcome; dataError?: string }> {
  // An interrupted download: the channel drops the connection past stopAfter bytes.
  const receiveCap = options.stopAfter !== undefined && !options.upload ? options.stopAfter : options.receiveLimit;
  const channel = await openChannel(scope, session, mode, options.where, undefined, receiveCap, { readBytesPerSecond: options.readBytesPerSecond });
  if (!channel) throw new StepFailure({ step: options.where, expected: ['a data channel'], actual: 'none' });
  // REST goes after PASV/PORT, right before the transfer command (RFC 3659 §5.3); sendBefore lines after it.
  try {
    if (options.rest !== undefined) await command(scope, session, `REST ${options.rest}`, { code: 350 }, `${options.where} (REST)`);
    for (const line of options.sendBefore ?? []) await command(scope, session, line, {}, `${options.where} (${line.split(' ')[0] ?? line})`);
  } catch (error) {
    channel.abort();
    throw error;
  }
  const result = await runTransfer(session.control, channel, line, {
    upload: options.upload,
    uploadStopAfter: options.stopAfter,
    uploadBytesPerSecond: options.writeBytesPerSecond,
    timeoutMs: scope.context.settings.transferTimeoutMs,
    replyTimeoutMs: scope.context.settings.replyTimeoutMs,
  });
  if (options.preliminary) checkPreliminary(scope, result.preliminary, result.final, options.preliminary, options.where);
  expectReply(scope, result.final, options.expectation, options.where);
  const succeeded = result.final.kind === 'reply' && result.final.reply.code >= 200 && result.final.reply.code < 300;
  if (succeeded && result.dataError && options.stopAfter === undefined) {
    // The transfer's reply said it worked; a broken data connection is the check only when the transfer itself is.
    throw new StepFailure({ step: options.where, expected: ['the data connection to complete'], actual: `data connection failed: ${result.dataError}` }, UNSTATED.has(options.expectation) && !scope.explicitCheck ? 'setup' : undefined);
  }
  return result;
}

/**
 * A transfer step's `preliminary`: a 1xx must have come before a completed transfer, and match. A refused
 * transfer (450, 550…) comes without one (RFC 959 §5.4), so the rule holds only for a 2xx final reply.
 */
function checkPreliminary(scope: Scope, preliminary: Reply | undefined, final: Outcome, expectation: ReplyExpectation, where: string): void {
  if (final.kind !== 'reply' || final.reply.code < 200 || final.reply.code >= 300) return;
  if (!preliminary) {
    throw new StepFailure({ step: `${where} (preliminary reply)`, expected: [...describeExpectation(expectation), 'before the transfer'], actual: `no 1xx reply; the first reply was ${describeOutcome(final)}` });
  }
  expectReply(scope, { kind: 'reply', reply: preliminary }, expectation, `${where} (preliminary reply)`);
}

function putContent(context: CaseContext, step: PutStep, sessionName: string): Buffer {
  if (step.content !== undefined) return Buffer.from(context.text(step.content, sessionName), 'utf8');
  if (step.random !== undefined) {
    // A size computed from the target's replies (e.g. `${quota.limit}-${used}`) can come out negative.
    const count = context.number(step.random, sessionName);
    if (!Number.isSafeInteger(count) || count < 0) throw new StepFailure({ step: 'put', expected: ['a size of 0 or more bytes to upload'], actual: `${count}, computed from "${String(step.random)}"` });
    return randomBytes(count);
  }
  if (step.allBytes) return Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
  if (step.fromContentOf !== undefined) {
    const remembered = context.remembered.get(step.fromContentOf);
    if (!remembered) throw new StepFailure({ step: 'put', expected: [`content remembered as "${step.fromContentOf}"`], actual: 'nothing remembered under that name (spec error)' });
    return step.fromByte === undefined ? remembered : remembered.subarray(context.number(step.fromByte, sessionName));
  }
  return Buffer.alloc(0);
}

function checkDataStep(scope: Scope, data: Buffer, expectation: DataExpectation | undefined, where: string, sessionName: string): void {
  scope.context.checkLeak(data, `${where} (data)`, scope.role);
  if (!expectation) return;
  const resolved: DataExpectation = {
    ...expectation,
    contains: expectation.contains?.map((text) => scope.context.text(text, sessionName)),
    notContains: expectation.notContains?.map((text) => scope.context.text(text, sessionName)),
    matches: expectation.matches === undefined ? undefined : scope.context.text(expectation.matches, sessionName),
    notMatches: expectation.notMatches === undefined ? undefined : scope.context.text(expectation.notMatches, sessionName),
    equals: expectation.equals === undefined ? undefined : scope.context.text(expectation.equals, sessionName),
  };
  const length = expectation.length === undefined ? undefined : scope.context.number(expectation.length, sessionName);
  // fromByte: equalsContentOf compares with the remembered bytes from that offset on (what REST n then RETR sends).
  const from = expectation.fromByte === undefined ? 0 : scope.context.number(expectation.fromByte, sessionName);
  const remembered = (name: string) => (name === expectation.equalsContentOf ? scope.context.remembered.get(name)?.subarray(from) : scope.context.remembered.get(name));
  const failure = checkData(data, resolved, where, remembered, length);
  if (failure) throw new StepFailure(failure);
}

/** The sizes a download's `data:` expects, where it says (to bound what the step takes in). */
function expectedSizes(scope: Scope, data: DataExpectation | undefined, sessionName: string): number[] {
  if (!data) return [];
  const { context } = scope;
  const names = [...(data.equalsContentOf === undefined ? [] : [data.equalsContentOf]), ...(data.equalsOneOf ?? [])];
  const sizes = names.map((name) => context.remembered.get(name)?.length ?? Number.NaN);
  if (data.equals !== undefined) sizes.push(Buffer.byteLength(data.equals));
  if (data.length !== undefined) {
    try {
      sizes.push(context.number(data.length, sessionName));
    } catch {
      return []; // the data check itself reports a length it cannot compute
    }
  }
  return sizes.some((n) => Number.isNaN(n)) ? [] : sizes;
}

/** A number, or a sum like `1048576-5230+12` (no term with a leading zero, so dates stay text); null otherwise. */
function asNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (/^\d+(\s*[-+*]\s*\d+)+$/.test(trimmed) && !/(^|[-+*]\s*)0\d/.test(trimmed)) return interpolateNumber(trimmed, new Map());
  const number = Number(trimmed);
  return Number.isNaN(number) ? null : number;
}

function compare(left: string, op: string, right: string): boolean {
  const x = asNumber(left);
  const y = asNumber(right);
  const numeric = x !== null && y !== null;
  const a = numeric ? x : left;
  const b = numeric ? y : right;
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case 'matches': return new RegExp(right).test(left);
    case 'notMatches': return !new RegExp(right).test(left);
    default: return false;
  }
}

export async function runSteps(scope: Scope, steps: readonly Step[], prefix = ''): Promise<void> {
  for (const [i, step] of steps.entries()) await runStep(scope, step as unknown as AnyStep, `${prefix}${i + 1}`);
}

/** Runs one step; a failure it throws is marked with the step's role and story unless scaffolding marked it already. */
async function runStep(outer: Scope, step: AnyStep, index: string): Promise<void> {
  const container = 'repeat' in step || 'parallel' in step;
  const role: StepRoleName = isCheckStep(step, outer.checkDefault) ? 'check' : 'setup';
  const scope: Scope = container
    ? { ...outer, checkDefault: typeof step.check === 'boolean' ? step.check : outer.checkDefault }
    : { ...outer, role, explicitCheck: step.check === true || (step.check === undefined && outer.checkDefault === true) };
  if (!container) outer.context.running = { where: label(step, index), role };
  try {
    await runStepAction(scope, step, index);
  } catch (error) {
    if (error instanceof StepFailure && !container) {
      error.role ??= role;
      if (error.role === 'check') error.stepWarning ??= step.warning;
      error.checksData ||= ['data', 'received', 'equals'].some((option) => step[option] !== undefined);
    }
    throw error;
  }
}

async function runStepAction(scope: Scope, step: AnyStep, index: string): Promise<void> {
  const { context } = scope;
  const kind = stepKind(step);
  // Session names may hold variables: `session: c${i}` opens many inside a repeat.
  const sessionName = step.session ? context.text(step.session) : scope.defaultSession;
  const text = (value: unknown) => context.text(String(value), sessionName);
  const where = label(step, index, text);
  const expectation = step.expect && withVariables(step.expect, text);
  switch (kind) {
    case 'connect': {
      const connected = await context.connect(sessionName, expectation !== undefined && accepts(expectation, 421)).catch((error: unknown) => {
        // A connection refused outright passes an expectation that allows a closed one (a full server may refuse in TCP).
        if (error instanceof StepFailure && (expectation?.closed || expectation?.orClosed)) return null;
        throw error;
      });
      if (!connected) return;
      const { session, greeting } = connected;
      expectReply(scope, greeting, expectation ?? unstated({ code: 220 }), where);
      if (context.profile.tls && !step.plain && greeting.kind === 'reply' && greeting.reply.code === 220) await startTls(scope, session, where);
      return;
    }
    case 'tcpConnect': {
      const port = context.number(step.tcpConnect as number | string, sessionName);
      const wantOpen = step.open !== false;
      const from = step.from === undefined ? undefined : text(step.from);
      const holdMs = step.holdMs === undefined ? 0 : context.number(step.holdMs as number | string, sessionName);
      const { open, received, closedByPeer } = await tcpPortOpen(context.profile.host, port, context.settings.replyTimeoutMs, { from, holdMs });
      const who = from ? ` from ${from}` : '';
      context.transcript.note(`tcp ${context.profile.host}:${port}${who}: ${open ? `accepted${holdMs > 0 ? `, ${received.length} bytes received, ${closedByPeer ? 'closed by the server' : 'still open'} after ${holdMs} ms` : ''}` : 'no connection'}`);
      if (step.open !== 'either' && open !== wantOpen) {
        throw new StepFailure({ step: where, expected: [wantOpen ? `port ${port} to accept a TCP connection${who}` : `port ${port} to refuse a TCP connection${who}`], actual: open ? `port ${port} accepted a connection` : `port ${port} did not accept a connection` });
      }
      if (open && step.received) checkDataStep(scope, received, step.received as DataExpectation, where, sessionName);
      return;
    }
    case 'login':
      return ensureLoggedIn(scope, sessionName, step.login as Role, expectation, where, Boolean(step.stayAtRoot));
    case 'send': {
      await command(scope, context.session(sessionName), text(step.send), expectation ?? unstated({ class: [1, 2, 3, 4, 5] }), where);
      return;
    }
    case 'raw':
    case 'bytes': {
      const session = context.session(sessionName);
      let payload: Buffer;
      if (kind === 'raw') {
        payload = Buffer.from(text(step.raw), 'latin1');
      } else {
        const spec = step.bytes as { repeat: string; count: number; prefix?: string; suffix?: string };
        payload = Buffer.concat([Buffer.from(spec.prefix ?? '', 'latin1'), Buffer.from(spec.repeat.repeat(spec.count), 'latin1'), Buffer.from(spec.suffix ?? '', 'latin1')]);
      }
      if (session.control.isClosed()) {
        // As for commands: a step that allows a closed connection holds when it is closed already.
        const closed: Outcome = { kind: 'closed', reason: session.control.closedReason() ?? 'closed' };
        if (expectation?.orClosed || expectation?.closed) return expectReply(scope, closed, expectation, where);
        throw new StepFailure({ step: where, expected: ['an open connection to send on'], actual: `the connection was already closed (${closed.reason})` });
      }
      await session.control.sendRaw(payload).catch(() => {});
      if (expectation) {
        const outcome = await session.control.readReply(expectation.timeoutMs ?? context.settings.replyTimeoutMs);
        let closedAfter: boolean | undefined;
        if (expectation.closed && outcome.kind === 'reply') closedAfter = (await session.control.waitForClose(expectation.timeoutMs ?? context.settings.replyTimeoutMs)).kind === 'closed';
        expectReply(scope, outcome, expectation, where, closedAfter);
      }
      return;
    }
    case 'read': {
      const session = context.session(sessionName);
      const wanted = expectation ?? unstated({ class: [1, 2, 3, 4, 5] });
      const outcome = await session.control.readReply(wanted.timeoutMs ?? context.settings.replyTimeoutMs);
      let closedAfter: boolean | undefined;
      if (wanted.closed && outcome.kind === 'reply') closedAfter = (await session.control.waitForClose(wanted.timeoutMs ?? context.settings.replyTimeoutMs)).kind === 'closed';
      expectReply(scope, outcome, wanted, where, closedAfter);
      return;
    }
    case 'close': {
      const session = context.session(sessionName);
      for (const channel of session.channels) channel.abort();
      await session.control.close();
      return;
    }
    case 'quit': {
      await command(scope, context.session(sessionName), 'QUIT', expectation ?? unstated({ code: 221, orClosed: true }), where);
      await context.session(sessionName).control.close();
      return;
    }
    case 'startTls': {
      const session = context.session(sessionName);
      // A --tls profile protected the session when it connected already.
      if (session.control.isTls()) {
        if (step.protect) session.protectData = true;
        return;
      }
      const auth = await command(scope, session, 'AUTH TLS', expectation ?? unstated({ code: 234 }), where);
      if (auth.kind !== 'reply' || auth.reply.code !== 234) return;
      await session.control.upgradeToTls({ rejectUnauthorized: false, timeoutMs: context.settings.replyTimeoutMs }).catch((error: unknown) => {
        throw new StepFailure({ step: `${where} (TLS handshake)`, expected: ['a TLS handshake on the control connection after 234'], actual: (error as Error).message });
      });
      if (step.protect) {
        await command(scope, session, 'PBSZ 0', { code: 200 }, `${where} (PBSZ)`);
        await command(scope, session, 'PROT P', { code: 200 }, `${where} (PROT P)`);
        session.protectData = true;
      }
      return;
    }
    case 'cd':
      await command(scope, context.session(sessionName), `CWD ${text(step.cd)}`, expectation ?? unstated({ code: 250 }), where);
      return;
    case 'mkdir':
      await command(scope, context.session(sessionName), `MKD ${text(step.mkdir)}`, expectation ?? unstated({ code: 257 }), where);
      return;
    case 'delete':
      await command(scope, context.session(sessionName), `DELE ${text(step.delete)}`, expectation ?? unstated({ code: 250 }), where);
      return;
    case 'rmdir':
      await command(scope, context.session(sessionName), `RMD ${text(step.rmdir)}`, expectation ?? unstated({ code: 250 }), where);
      return;
    case 'site':
      await command(scope, context.session(sessionName), `SITE ${text(step.site)}`, expectation ?? unstated({ class: 2 }), where);
      return;
    case 'rename': {
      const session = context.session(sessionName);
      const { from, to } = step.rename as { from: string; to: string };
      const wanted = expectation ?? unstated({ code: 250 });
      const first = await session.control.command(`RNFR ${text(from)}`, context.settings.replyTimeoutMs);
      if (first.kind !== 'reply' || first.reply.code !== 350) {
        expectReply(scope, first, wanted, `${where} (RNFR)`);
        return;
      }
      await command(scope, session, `RNTO ${text(to)}`, wanted, `${where} (RNTO)`);
      return;
    }
    case 'size': {
      const session = context.session(sessionName);
      const outcome = await command(scope, session, `SIZE ${text(step.size)}`, expectation ?? unstated({ code: 213 }), where);
      if (step.equals !== undefined && outcome.kind === 'reply') {
        const wanted = context.number(step.equals as number | string, sessionName);
        if (Number(outcome.reply.message.trim()) !== wanted) throw new StepFailure({ step: where, expected: [`size ${wanted}`], actual: describeOutcome(outcome) });
      }
      return;
    }
    case 'put': {
      const put = step as unknown as PutStep;
      const session = context.session(sessionName);
      const content = putContent(context, put, sessionName);
      if (put.remember) context.remembered.set(put.remember, content);
      const verb = put.command ?? 'STOR';
      const line = verb === 'STOU' && put.put === '' ? 'STOU' : `${verb} ${text(put.put)}`;
      const stopAfter = put.stopAfter === undefined ? undefined : context.number(put.stopAfter, sessionName);
      const wanted = expectation ?? unstated(stopAfter !== undefined ? { class: [2, 4, 5], orClosed: true } : { codes: [226, 250] });
      const rest = put.rest === undefined ? undefined : context.number(put.rest, sessionName);
      const writeBytesPerSecond = put.writeBytesPerSecond === undefined ? undefined : context.number(put.writeBytesPerSecond, sessionName);
      await transfer(scope, session, dataMode(put.mode), line, { upload: content, stopAfter, expectation: wanted, preliminary: put.preliminary, where, rest, sendBefore: put.sendBefore?.map(text), writeBytesPerSecond });
      return;
    }
    case 'get': {
      const get = step as unknown as GetStep;
      const session = context.session(sessionName);
      const stopAfter = get.stopAfter === undefined ? undefined : context.number(get.stopAfter, sessionName);
      const wanted = expectation ?? unstated(stopAfter !== undefined ? { class: [2, 4, 5], orClosed: true } : { codes: [226, 250] });
      const rest = get.rest === undefined ? undefined : context.number(get.rest, sessionName);
      const readBytesPerSecond = get.readBytesPerSecond === undefined ? undefined : context.number(get.readBytesPerSecond, sessionName);
      const receiveLimit = downloadLimit(expectedSizes(scope, get.data, sessionName), Boolean(get.remember));
      const result = await transfer(scope, session, dataMode(get.mode), `RETR ${text(get.get)}`, { stopAfter, receiveLimit, expectation: wanted, preliminary: get.preliminary, where, rest, sendBefore: get.sendBefore?.map(text), readBytesPerSecond });
      const data = result.data ?? Buffer.alloc(0);
      if (get.remember) context.remembered.set(get.remember, data);
      const ok = result.final.kind === 'reply' && result.final.reply.code < 300;
      if (ok && stopAfter === undefined) checkDataStep(scope, data, get.data, where, sessionName);
      return;
    }
    case 'list': {
      const list = step as unknown as ListStep;
      const session = context.session(sessionName);
      const verb = list.command ?? 'LIST';
      const path = text(list.list);
      const result = await transfer(scope, session, dataMode(list.mode), path === '' ? verb : `${verb} ${path}`, { expectation: expectation ?? unstated({ codes: [226, 250] }), preliminary: list.preliminary, where, receiveLimit: LISTING_LIMIT_BYTES });
      const ok = result.final.kind === 'reply' && result.final.reply.code < 300;
      if (ok) checkDataStep(scope, result.data ?? Buffer.alloc(0), list.data, where, sessionName);
      return;
    }
    case 'data': {
      const raw = step as unknown as DataStep;
      const session = context.session(sessionName);
      const activeHost = raw.activeHost === undefined ? undefined : text(raw.activeHost);
      const channel = await openChannel(scope, session, dataMode(raw.mode), where, raw.open, undefined, { activeHost });
      if (!channel) return;
      const upload = raw.upload === undefined ? undefined : Buffer.from(text(raw.upload), 'utf8');
      const stopAfter = raw.stopAfter === undefined ? undefined : context.number(raw.stopAfter, sessionName);
      const result = await runTransfer(session.control, channel, text(raw.command), { upload, uploadStopAfter: stopAfter, timeoutMs: context.settings.transferTimeoutMs, replyTimeoutMs: context.settings.replyTimeoutMs });
      if (raw.preliminary) checkPreliminary(scope, result.preliminary, result.final, raw.preliminary, where);
      expectReply(scope, result.final, expectation ?? unstated({ class: [1, 2, 3, 4, 5] }), where);
      if (result.data) checkDataStep(scope, result.data, raw.data, where, sessionName);
      return;
    }
    case 'openData': {
      const session = context.session(sessionName);
      const mode = step.openData as DataMode;
      const channel = await openChannel(scope, session, mode, where, expectation);
      if (channel) session.channels.push(channel);
      return;
    }
    case 'set':
      for (const [name, value] of Object.entries(step.set as Record<string, string | number>)) context.variables.set(name, context.text(String(value), sessionName));
      return;
    case 'assert': {
      const { left, op, right } = step.assert as { left: string; op: string; right: string };
      const a = text(left);
      const b = text(right);
      if (!compare(a, op, b)) throw new StepFailure({ step: where, expected: [`${left} ${op} ${right}`], actual: `${a} ${op} ${b} does not hold` });
      return;
    }
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, context.number(step.sleep as number | string, sessionName)));
      return;
    case 'repeat': {
      const { times: count, steps } = step.repeat as { times: number | string; steps: Step[] };
      const times = context.number(count, sessionName);
      for (let i = 0; i < times; i++) {
        context.variables.set('i', String(i));
        await runSteps(scope, steps, `${index}.${i + 1}.`);
      }
      return;
    }
    case 'parallel': {
      const branches = step.parallel as { session: string; steps: Step[] }[];
      const barriers = new Barriers(branches.length);
      const results = await Promise.allSettled(
        branches.map((branch, b) =>
          runSteps({ ...scope, barriers, defaultSession: branch.session }, branch.steps, `${index}.${b + 1}.`).catch((error: unknown) => {
            barriers.breakAll(new Error(`branch ${branch.session} failed`));
            throw error;
          }),
        ),
      );
      // A branch whose check failed says more than one whose setup did (often the other branch's doing).
      const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected' && result.reason instanceof StepFailure);
      const failed = failures.find((result) => (result.reason as StepFailure).role === 'check') ?? failures[0];
      const other = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
      if (other) throw other.reason;
      return;
    }
    case 'barrier':
      if (!scope.barriers) throw new StepFailure({ step: where, expected: ['a barrier inside a parallel branch'], actual: 'a barrier outside parallel (spec error)' });
      await scope.barriers.arrive(String(step.barrier));
      return;
    default:
      throw new StepFailure({ step: where, expected: ['a known step'], actual: `unknown step kind ${String(kind)} (spec error)` });
  }
}

/** Does host:port accept a TCP connection within timeoutMs? (The socket is closed at once.) */
function tcpPortOpen(host: string, port: number, timeoutMs: number, options: { from?: string; holdMs?: number } = {}): Promise<{ open: boolean; received: Buffer; closedByPeer: boolean }> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port, localAddress: options.from });
    const chunks: Buffer[] = [];
    let open = false;
    let closedByPeer = false;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ open, received: Buffer.concat(chunks), closedByPeer });
    };
    let timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('connect', () => {
      open = true;
      clearTimeout(timer);
      // Held: read what the server sends until holdMs is over (a close by the server ends the wait early).
      if ((options.holdMs ?? 0) > 0) timer = setTimeout(done, options.holdMs);
      else done();
    });
    socket.once('close', () => {
      closedByPeer = open && !finished;
      done();
    });
    socket.on('error', () => done());
  });
}

/** `text` and `notText` of an expectation may name variables, e.g. `text: '${scratch}"'`. */
function withVariables(expectation: ReplyExpectation, text: (value: unknown) => string): ReplyExpectation {
  const resolve = (value: string | undefined) => (value?.includes('${') ? text(value) : value);
  if (!expectation.text?.includes('${') && !expectation.notText?.includes('${')) return expectation;
  return { ...expectation, text: resolve(expectation.text), notText: resolve(expectation.notText) };
}

export function createScope(context: CaseContext): Scope {
  return { context, barriers: null, defaultSession: 'main', role: 'check' };
}
