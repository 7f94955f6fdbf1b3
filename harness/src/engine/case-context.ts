/**
 * The state of one running case: its sessions (each a control connection with
 * the role it logged in as and that role's scratch folder), variables,
 * remembered contents and the shared transcript.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ControlConnection, ConnectError } from '../wire/control-connection.ts';
import { Transcript } from '../wire/transcript.ts';
import type { DataChannel } from '../wire/data-channel.ts';
import type { Outcome } from '../wire/outcome.ts';
import type { LoadedCase, Role } from '../spec/types.ts';
import type { TargetProfile } from '../target/profile.ts';
import type { Failure } from './results.ts';
import { interpolate, interpolateNumber, InterpolationError } from './interpolate.ts';
import { findServerPath } from './leaks.ts';
import { isTooManySessions, type SessionGauge } from './session-gauge.ts';

/** A check step's wrong answer fails the case; a setup step's makes it "not checked". */
export type StepRoleName = 'check' | 'setup';

/** A step did not hold; carries the expected-vs-actual failure. */
export class StepFailure extends Error {
  /** Set where the failure is thrown for scaffolding that is setup whatever the step (greeting, scratch folder), else by the step that failed. */
  role: StepRoleName | undefined;
  /** The failing step's own story (its `warning:`), when it has one. */
  stepWarning: string | undefined;
  /** The failing step checks data (a listing, a download, a size): its story is about what the data held. */
  checksData = false;

  constructor(readonly failure: Failure, role?: StepRoleName) {
    super(`${failure.step}: expected ${failure.expected.join(' / ')}, got ${failure.actual}`);
    this.role = role;
  }
}

export interface CaseSession {
  name: string;
  control: ControlConnection;
  role: Role | null;
  /** Open data channels the case did not finish with (closed at the end). */
  channels: DataChannel[];
  /** Data channels use TLS: a startTls step with `protect` ran on this session. */
  protectData: boolean;
}

/** `${sha256:name}` and the like: the hex digest of content remembered under `name`; `${sha256:name:start}` of its bytes from `start` on. */
const DIGEST_VARIABLE = /\$\{(sha256|sha512|sha1|md5):([A-Za-z0-9_.-]+)(?::(\d+))?\}/g;

export interface RunSettings {
  /** Wait for one reply. */
  replyTimeoutMs: number;
  /** Wait for one whole transfer. */
  transferTimeoutMs: number;
  /** The run's open sessions across cases; without it a "too many sessions" answer is not retried. */
  gauge?: SessionGauge;
}

/** Waits before each retry of a session refused as one too many: ~12 s in all, enough for other cases to close theirs. */
const TOO_MANY_RETRY_DELAYS_MS = [200, 400, 800, 1500, 2500, 3000, 3500];

export class CaseContext {
  readonly transcript: Transcript;
  readonly variables = new Map<string, string>();
  readonly remembered = new Map<string, Buffer>();
  readonly sessions = new Map<string, CaseSession>();
  /** Scratch folder of each role, made at its first login in this case. */
  readonly scratch = new Map<Role, string>();
  /** Server paths found in the replies of check steps: they fail the case. */
  readonly leaks: string[] = [];
  /** Server paths found in setup replies: noted, not counted against this case (the leak case of that command checks it). */
  readonly setupLeaks: string[] = [];
  /** The step running now (the last one started, in parallel branches): what a case time-out interrupted. */
  running: { where: string; role: StepRoleName } | undefined;
  private closedAll = false;

  constructor(
    readonly spec: LoadedCase,
    readonly profile: TargetProfile,
    readonly settings: RunSettings,
  ) {
    this.transcript = new Transcript(spec.id);
    for (const [role, account] of Object.entries(profile.accounts)) {
      if (!account) continue;
      this.variables.set(`${role}.name`, account.name);
      if (account.limit !== undefined) this.variables.set(`${role}.limit`, String(account.limit));
    }
    if (profile.anonymousFile) this.variables.set('anonymous.file', profile.anonymousFile);
    for (const [name, value] of Object.entries(profile.limits)) if (value !== undefined) this.variables.set(`limits.${name}`, String(value));
    this.variables.set('case', spec.id);
  }

  /** Interpolates step text for a session: `${scratch}` is the scratch of that session's role. */
  text(value: string, sessionName = 'main'): string {
    const session = this.sessions.get(sessionName);
    const local = new Map(this.variables);
    const scratch = session?.role ? this.scratch.get(session.role) : undefined;
    if (scratch) local.set('scratch', scratch);
    for (const [role, folder] of this.scratch) local.set(`${role}.scratch`, folder);
    // The server's address as this session's control connection sees it (e.g. to compare a 227's).
    if (session) local.set('server.address', unmapIpv4(session.control.remoteAddress));
    const withRandom = value.replace(/\$\{random\}/g, () => randomBytes(6).toString('hex'));
    const withDigests = withRandom.replace(DIGEST_VARIABLE, (_whole, algorithm: string, name: string, start: string | undefined) => {
      const content = this.remembered.get(name);
      if (!content) throw new InterpolationError(`\${${algorithm}:${name}}: nothing remembered under "${name}"`);
      return createHash(algorithm).update(start === undefined ? content : content.subarray(Number(start))).digest('hex');
    });
    return interpolate(withDigests, local);
  }

  number(value: number | string, sessionName = 'main'): number {
    return typeof value === 'number' ? value : interpolateNumber(this.text(value, sessionName), new Map());
  }

  /**
   * Opens a session, and when the target answers "too many" while this run holds other sessions, waits
   * for them and tries again (the 421 was ftp-check's doing, not a finding). `acceptsTooMany`: the step
   * expects such a refusal (a limits case), so it is returned as it came.
   */
  async connect(sessionName: string, acceptsTooMany = false): Promise<{ session: CaseSession; greeting: Outcome }> {
    const gauge = this.settings.gauge;
    for (let attempt = 0; ; attempt++) {
      const opened = await this.connectOnce(sessionName);
      const { greeting } = opened;
      const refused = greeting.kind === 'reply' && isTooManySessions(greeting.reply.code, greeting.reply.message);
      if (!refused || acceptsTooMany || !gauge) return opened;
      const held = gauge.open();
      const delay = TOO_MANY_RETRY_DELAYS_MS[attempt];
      if (held <= 1 || delay === undefined) return opened;
      gauge.limitMet(held);
      this.transcript.note(`the target refused a session as one too many while ftp-check held ${held}: waiting ${delay} ms for other cases to close theirs, then trying again`);
      await opened.session.control.close();
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async connectOnce(sessionName: string): Promise<{ session: CaseSession; greeting: Outcome }> {
    const existing = this.sessions.get(sessionName);
    if (existing && !existing.control.isClosed()) await existing.control.close();
    let control: ControlConnection;
    try {
      control = await ControlConnection.connect({
        host: this.profile.host,
        port: this.profile.port,
        timeoutMs: this.settings.replyTimeoutMs,
        transcript: this.transcript,
        label: sessionName,
      });
    } catch (error) {
      if (error instanceof ConnectError) {
        throw new StepFailure({ step: `connect (${sessionName})`, expected: ['a connection and a 220 greeting'], actual: error.message });
      }
      throw error;
    }
    this.settings.gauge?.add(control);
    const session: CaseSession = { name: sessionName, control, role: null, channels: [], protectData: false };
    this.sessions.set(sessionName, session);
    const greeting = await control.readReply(this.settings.replyTimeoutMs);
    return { session, greeting };
  }

  session(name: string): CaseSession {
    const session = this.sessions.get(name);
    if (!session) throw new StepFailure({ step: `session ${name}`, expected: ['a session opened by connect or login first'], actual: 'no such session (spec error)' });
    return session;
  }

  /** Records a server path found in `text`, when the case checks for leaks. */
  checkLeak(received: string | Buffer, where: string, role: StepRoleName = 'check'): void {
    if (!this.spec.checkLeaks) return;
    // Data is decoded only here: a 20 MB download decoded as UTF-8 holds the event loop (and the embedded target) for ~0.5 s.
    const text = typeof received === 'string' ? received : received.toString('utf8');
    const sent = this.transcript
      .entries()
      .filter((entry) => entry.direction === 'sent')
      .map((entry) => entry.text)
      .join('\n');
    const leak = findServerPath(text, this.profile.serverPaths, sent);
    if (!leak) return;
    if (role === 'check') this.leaks.push(`${where}: ${leak}`);
    else {
      this.setupLeaks.push(`${where}: ${leak}`);
      this.transcript.note(`a server path in a setup step's reply (not counted here): ${leak}`);
    }
  }

  /** Closes every session (without QUIT) and data channel. Idempotent. */
  async closeAll(): Promise<void> {
    if (this.closedAll) return;
    this.closedAll = true;
    await Promise.all(
      [...this.sessions.values()].map(async (session) => {
        for (const channel of session.channels) channel.abort();
        await session.control.close();
      }),
    );
  }
}

/** `::ffff:1.2.3.4` is the IPv4 address 1.2.3.4 seen through an IPv6 socket. */
function unmapIpv4(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}
