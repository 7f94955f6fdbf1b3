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

/** A step did not hold; carries the expected-vs-actual failure. */
export class StepFailure extends Error {
  constructor(readonly failure: Failure) {
    super(`${failure.step}: expected ${failure.expected.join(' / ')}, got ${failure.actual}`);
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
}

export class CaseContext {
  readonly transcript: Transcript;
  readonly variables = new Map<string, string>();
  readonly remembered = new Map<string, Buffer>();
  readonly sessions = new Map<string, CaseSession>();
  /** Scratch folder of each role, made at its first login in this case. */
  readonly scratch = new Map<Role, string>();
  readonly leaks: string[] = [];
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

  async connect(sessionName: string): Promise<{ session: CaseSession; greeting: Outcome }> {
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
  checkLeak(text: string, where: string): void {
    if (!this.spec.checkLeaks) return;
    const sent = this.transcript
      .entries()
      .filter((entry) => entry.direction === 'sent')
      .map((entry) => entry.text)
      .join('\n');
    const leak = findServerPath(text, this.profile.serverPaths, sent);
    if (leak) this.leaks.push(`${where}: ${leak}`);
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
