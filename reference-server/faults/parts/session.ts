/**
 * Faults of the control connection (robustness, rfc959 and a few jail and auth
 * faults): a line reader that misreads bytes, a session that formats replies
 * wrongly, skips or doubles refusals, lets commands run before login, leaks
 * real paths in errors, shares one current directory, or takes the whole
 * server down on a bad line or a reset data connection.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { LineReader, parseCommand, type LineEvent } from '../../src/protocol/command-line.ts';
import { Reply } from '../../src/protocol/replies.ts';
import { replyForError } from '../../src/errors.ts';
import { Session } from '../../src/session.ts';
import { VIRTUAL_ROOT, type VirtualPath } from '../../src/vfs/virtual-path.ts';
import type { CommandSpec } from '../../src/protocol/command-spec.ts';
import type { Refusal } from '../../src/preconditions.ts';
import type { ServerContext } from '../../src/server-context.ts';
import type { ServerParts } from '../../src/server-parts.ts';
import { faultyCommandLine, withRealPath } from '../jail-mapping.ts';
import type { FaultPart, ServerHandle } from '../fault.ts';
import type { FaultName } from '../index.ts';

type Quirks = ReadonlySet<FaultName>;

/** The one current directory of every session of a server: the global-variable bug. */
const sharedCwds = new WeakMap<ServerContext, VirtualPath>();

class FaultySession extends Session {
  constructor(
    socket: Socket,
    id: number,
    context: ServerContext,
    onClose: (session: Session) => void,
    private readonly quirks: Quirks,
    private readonly server: ServerHandle,
  ) {
    super(socket, id, context, onClose);
    if (quirks.has('shared-cwd')) {
      Object.defineProperty(this, 'cwd', {
        get: () => sharedCwds.get(context) ?? VIRTUAL_ROOT,
        set: (value: VirtualPath) => sharedCwds.set(context, value),
      });
    }
  }

  override reply(code: number, text: string | readonly string[]): void {
    const statusAsOk = this.quirks.has('rfc959-status-replies-200') && code >= 211 && code <= 215;
    super.reply(statusAsOk ? Reply.ok : code, text);
  }

  protected override send(reply: string): void {
    let bytes = reply;
    if (this.quirks.has('rfc959-multiline-no-hyphen')) bytes = bytes.replace(/^(\d{3})-/, '$1 ');
    if (this.quirks.has('rfc959-multiline-unindented')) bytes = bytes.replace(/\r\n /g, '\r\n');
    super.send(bytes);
  }

  protected override async execute(line: Buffer): Promise<void> {
    // Commands that need a login run as a guest instead of being refused with 530.
    if (this.quirks.has('auth-commands-before-login') && !this.identity && this.commands[parseCommand(line).verb]?.login) {
      this.identity = { name: 'anonymous', role: 'anonymous', readOnly: true, jail: await this.context.parts.openJail(this.context.layout.public, 'anonymous') };
    }
    return super.execute(line);
  }

  protected override refusalFor(verb: string, spec: CommandSpec | undefined, argument: string, hasControlCharacters: boolean): Refusal | null {
    if (this.quirks.has('rfc959-no-preconditions')) return null;
    const nulPassedToSite = verb === 'SITE' && this.quirks.has('admin-register-nul-truncates');
    return super.refusalFor(verb, spec, argument, hasControlCharacters && !nulPassedToSite);
  }

  protected override refuse(refusal: Refusal): void {
    super.refuse(refusal);
    if (this.quirks.has('refusals-answered-twice')) super.refuse(refusal);
  }

  protected override replyToFailure(verb: string, error: unknown): void {
    if (this.quirks.has('rfc959-fs-errors-451') && typeof (error as NodeJS.ErrnoException).code === 'string') return this.reply(Reply.localError, 'Local error in processing.');
    if (!this.quirks.has('jail-leak-real-path')) return super.replyToFailure(verb, error);
    const { code, text } = replyForError(error);
    this.reply(code, withRealPath(text, error));
  }

  protected override watchTransfer(data: Duplex, controller: AbortController): { stalled: boolean } {
    if (this.quirks.has('crash-on-data-reset')) data.on('error', () => this.server.crash());
    // A deadline for the whole transfer instead of a limit on time without data.
    if (this.quirks.has('transfer-deadline')) setTimeout(() => controller.abort(), this.context.settings.dataTimeout * 1000).unref();
    return super.watchTransfer(data, controller);
  }
}

/** Reads lines as a naive server does: no Telnet IAC, LF only after CR, one command per packet, C strings. */
class MisreadingLineReader extends LineReader {
  constructor(
    maxLineBytes: number,
    private readonly quirks: Quirks,
    private readonly server: ServerHandle,
  ) {
    super(maxLineBytes);
  }

  override feed(chunk: Buffer): LineEvent[] {
    let bytes = chunk;
    if (this.quirks.has('no-telnet-handling')) bytes = Buffer.from(bytes.map((byte) => (byte === 0xff ? 0x3f : byte)));
    if (this.quirks.has('crlf-only-line-ends')) bytes = Buffer.from(bytes.filter((byte, i) => byte !== 0x0a || bytes[i - 1] === 0x0d));
    let events = super.feed(bytes);
    if (this.quirks.has('one-command-per-packet')) events = events.slice(0, 1);
    if (this.quirks.has('crash-on-long-line') && events.some((event) => event.kind === 'overflow')) {
      this.server.crash();
      return [];
    }
    return events.map((event) => (event.kind === 'line' ? { kind: 'line', line: faultyCommandLine(event.line, this.quirks) } : event));
  }
}

/** The session faults switched on so far, per createSession part made here. */
const quirksOf = new WeakMap<ServerParts['createSession'], Quirks>();

function quirky(parts: ServerParts, name: FaultName, server: ServerHandle): ServerParts {
  const quirks = new Set([...(quirksOf.get(parts.createSession) ?? []), name]);
  const createSession: ServerParts['createSession'] = (socket, id, context, onClose) => new FaultySession(socket, id, context, onClose, quirks, server);
  quirksOf.set(createSession, quirks);
  return { ...parts, createSession, lineReader: (maxLineBytes) => new MisreadingLineReader(maxLineBytes, quirks, server) };
}

const QUIRKS: readonly FaultName[] = [
  'shared-cwd',
  'rfc959-status-replies-200',
  'rfc959-multiline-no-hyphen',
  'rfc959-multiline-unindented',
  'auth-commands-before-login',
  'rfc959-no-preconditions',
  'admin-register-nul-truncates',
  'refusals-answered-twice',
  'rfc959-fs-errors-451',
  'jail-leak-real-path',
  'crash-on-data-reset',
  'transfer-deadline',
  'no-telnet-handling',
  'crlf-only-line-ends',
  'one-command-per-packet',
  'crash-on-long-line',
  'jail-c-string-truncation',
  'jail-overlong-utf8',
];

export const SESSION_FAULT_PARTS: Partial<Record<FaultName, FaultPart>> = {
  ...Object.fromEntries(QUIRKS.map((name) => [name, { parts: (parts: ServerParts, server: ServerHandle) => quirky(parts, name, server) }])),
  'no-idle-timeout': { settings: (settings) => ({ ...settings, idleTimeout: 0 }) },
  'rest-kept-after-commands': {
    parts: (parts) => ({ ...parts, commands: Object.fromEntries(Object.entries(parts.commands).map(([verb, spec]) => [verb, { ...spec, keepsRest: true }])) }),
  },
};
