/**
 * One control connection: reads bounded lines, answers them strictly in order
 * through the command table, and runs at most one data transfer at a time.
 * ABOR is acted on the moment it arrives, even while a transfer runs.
 */
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { maskSecrets, parseCommand, type LineReader } from './protocol/command-line.ts';
import { formatReply, Reply } from './protocol/replies.ts';
import { checkPreconditions, type Refusal } from './preconditions.ts';
import { replyForError, FtpReplyError } from './errors.ts';
import { VIRTUAL_ROOT, checkPathArgument, type VirtualPath } from './vfs/virtual-path.ts';
import type { Jail, JailPath } from './vfs/jail.ts';
import { connectActive, normalizeAddress, type PassiveListener, DataConnectionError } from './data/data-connections.ts';
import type { ServerContext } from './server-context.ts';
import type { CommandSpec, CommandTable } from './protocol/command-spec.ts';

export type Role = 'anonymous' | 'user' | 'admin';

export interface Identity {
  name: string;
  role: Role;
  readOnly: boolean;
  jail: Jail;
}

export type DataTarget = { kind: 'passive'; listener: PassiveListener } | { kind: 'active'; host: string; port: number };

/** How a transfer ended, for the reply and the logs. */
export type TransferEnd = 'complete' | 'aborted-by-client' | 'data-connection-lost' | 'stalled' | 'failed';

const MAX_QUEUED_LINES = 256;

export class Session {
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly startedAt = Date.now();

  private currentIdentity: Identity | null = null;
  pendingUser: string | null = null;
  cwd: VirtualPath = VIRTUAL_ROOT;
  transferType: 'A' | 'I' = 'A';
  restOffset = 0;
  renameFrom: VirtualPath | null = null;
  copyFrom: VirtualPath | null = null;
  dataTarget: DataTarget | null = null;
  epsvAll = false;
  utf8 = true;
  loginFailures = 0;
  hashAlgorithm = 'SHA-256';
  tls = { control: false, protectData: false, pbszDone: false };

  private socket: Socket;
  private reader: LineReader;
  /** Lines waiting for their turn; null stands for an over-long line, answered 500 in its turn. */
  private queue: (Buffer | null)[] = [];
  private processing = false;
  private closed = false;
  private transfer: { controller: AbortController; abortedByClient: boolean } | null = null;
  private abortedJustNow = false;
  private lastVerb = '';
  /** Restarted by each complete command only: bytes trickled without a line end keep nothing alive. */
  private readonly idleTimer: NodeJS.Timeout | null;
  /** Runs while nobody is logged in (proftpd's TimeoutLogin): complete commands do not keep a stranger connected. */
  private loginTimer: NodeJS.Timeout | null = null;

  constructor(
    socket: Socket,
    readonly id: number,
    readonly context: ServerContext,
    private readonly onClose: (session: Session) => void,
  ) {
    this.socket = socket;
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    this.localAddress = normalizeAddress(socket.localAddress);
    this.reader = context.parts.lineReader(context.settings.maxLineBytes);
    const { idleTimeout } = context.settings;
    // Unref'd like a socket's own timeout: the open socket is what keeps the process alive.
    this.idleTimer = idleTimeout > 0 ? setTimeout(() => this.onIdle(), idleTimeout * 1000).unref() : null;
    this.startLoginDeadline();
    this.attach(socket);
    socket.setNoDelay(true);
  }

  /** The verbs this server knows, with their rules and handlers. */
  get commands(): CommandTable {
    return this.context.parts.commands;
  }

  private attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close('client closed the connection'));
  }


  /** Who is logged in; null before login and after REIN (which starts a new login deadline). */
  get identity(): Identity | null {
    return this.currentIdentity;
  }

  set identity(value: Identity | null) {
    this.currentIdentity = value;
    if (value) this.stopLoginDeadline();
    else this.startLoginDeadline();
  }

  private startLoginDeadline(): void {
    const { loginTimeout } = this.context.settings;
    if (this.loginTimer || loginTimeout <= 0 || this.closed) return;
    this.loginTimer = setTimeout(() => {
      this.loginTimer = null;
      if (!this.loggedIn) this.replyAndClose(Reply.serviceNotAvailable, 'Login timeout; closing control connection.', 'login timeout');
    }, loginTimeout * 1000).unref();
  }

  private stopLoginDeadline(): void {
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = null;
  }

  get loggedIn(): boolean {
    return this.identity !== null;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get transferRunning(): boolean {
    return this.transfer !== null;
  }

  /** The label logs use for this session: never the name typed at USER, which may be a password typed in the wrong place. */
  get who(): string {
    return this.identity?.name ?? '-';
  }

  greet(): void {
    this.reply(Reply.serviceReady, 'ftp-ref ready.');
  }

  reply(code: number, text: string | readonly string[]): void {
    this.send(formatReply(code, text));
  }

  /** Writes a formatted reply (protocol/replies.ts) to the control connection. */
  protected send(reply: string): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(reply);
  }

  /** Sends a final reply and closes the control connection once it is flushed. */
  replyAndClose(code: number, text: string, reason: string): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.end(formatReply(code, text));
    this.close(reason);
  }

  /** A client path argument resolved in the jail, its folder held open until the caller closes it. */
  async resolvePath(argument: string): Promise<JailPath> {
    const identity = this.requireIdentity();
    const refusal = checkPathArgument(argument, 4096);
    if (refusal === 'too-long') throw new FtpReplyError(Reply.fileNameNotAllowed, 'File name too long.');
    if (refusal === 'control-characters') throw new FtpReplyError(Reply.argumentSyntaxError, 'Control characters are not allowed in a path.');
    return identity.jail.resolve(this.cwd, argument === '' ? '.' : argument);
  }

  requireIdentity(): Identity {
    if (!this.identity) throw new FtpReplyError(Reply.notLoggedIn, 'Please login with USER and PASS.');
    return this.identity;
  }

  /** Drops the data target (a passive listener nobody used is closed). */
  clearDataTarget(): void {
    if (this.dataTarget?.kind === 'passive') this.dataTarget.listener.dispose();
    this.dataTarget = null;
  }

  /**
   * Replaces the control socket by a TLS one after `234` to AUTH TLS (RFC 4217 §4).
   * Whatever came in plaintext behind AUTH TLS is dropped, never run inside the
   * TLS session: a man in the middle may have appended it (CVE-2011-0411, RFC 4217 §15).
   */
  upgradeToTls(secureContext: SecureContext): void {
    this.dropPlaintext(this.queue.length + (this.reader.hasPartialLine ? 1 : 0));
    this.queue = [];
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const secure = new TLSSocket(plain, { isServer: true, secureContext });
    this.socket = secure;
    this.reader = this.context.parts.lineReader(this.context.settings.maxLineBytes);
    this.attach(secure);
    this.tls.control = true;
  }

  private dropPlaintext(lines: number): void {
    if (lines > 0) this.context.logs.connections.warn({ session: this.id, remote: this.remoteAddress, lines }, 'plaintext sent behind AUTH TLS dropped');
  }

  /**
   * Runs a data transfer: opens the data connection, sends 150 with `announce`,
   * runs `work`, and answers 226, 426 (aborted or connection lost) or the
   * error's reply. `work` returns the number of bytes moved.
   */
  async runTransfer(announce: string, work: (data: Duplex, signal: AbortSignal) => Promise<number>): Promise<{ end: TransferEnd; bytes: number; error?: unknown }> {
    let data: Duplex;
    try {
      data = await this.openDataConnection();
    } catch (error) {
      const { code, text } = replyForError(error);
      this.reply(code, text);
      return { end: 'failed', bytes: 0, error };
    }
    const controller = new AbortController();
    this.transfer = { controller, abortedByClient: false };
    let workDone = false;
    // A close once the work is done is the normal end, not an abort (and an abort costs a DOMException).
    // Nor is a close after the client's end of data: an empty upload's FIN can close the socket before the file
    // is written (a download whose reader goes away still fails, on its next write).
    data.on('close', () => workDone || data.readableEnded || controller.abort());
    const stall = this.watchTransfer(data, controller);
    this.reply(Reply.fileStatusOkOpeningData, announce);
    try {
      const bytes = await work(data, controller.signal);
      workDone = true;
      await endSocket(data);
      this.reply(Reply.closingDataSuccess, 'Transfer complete.');
      return { end: 'complete', bytes };
    } catch (error) {
      data.destroy();
      if (this.transfer.abortedByClient) {
        this.reply(Reply.transferAborted, 'Transfer aborted.');
        this.abortedJustNow = true;
        return { end: 'aborted-by-client', bytes: 0, error };
      }
      if (stall.stalled) {
        this.reply(Reply.transferAborted, `No data moved for ${this.context.settings.dataTimeout} seconds; transfer aborted.`);
        return { end: 'stalled', bytes: 0, error };
      }
      if (controller.signal.aborted && !(error instanceof FtpReplyError) && replyForError(error).unexpected) {
        this.reply(Reply.transferAborted, 'Data connection closed; transfer aborted.');
        return { end: 'data-connection-lost', bytes: 0, error };
      }
      const { code, text } = replyForError(error);
      this.reply(code, text);
      return { end: 'failed', bytes: 0, error };
    } finally {
      this.transfer = null;
      this.dataTarget = null;
      // Idle time is counted from the end of the transfer, not from the command that started it.
      this.idleTimer?.refresh();
    }
  }

  /**
   * Aborts the transfer on `data` when its connection fails, or when no data
   * has moved for --data-timeout seconds (then `stalled` is true).
   */
  protected watchTransfer(data: Duplex, controller: AbortController): { stalled: boolean } {
    data.on('error', () => controller.abort());
    return watchForStall(data as Socket, this.context.settings.dataTimeout, controller);
  }

  /** Called by ABOR's handler: was a transfer just aborted by it? */
  takeAbortedFlag(): boolean {
    const was = this.abortedJustNow;
    this.abortedJustNow = false;
    return was;
  }

  private async openDataConnection(): Promise<Duplex> {
    const target = this.dataTarget;
    if (!target) throw new FtpReplyError(Reply.cannotOpenData, 'Use PORT, EPRT, PASV or EPSV first.');
    const timeoutMs = this.context.settings.dataTimeout * 1000;
    let socket: Socket;
    if (target.kind === 'passive') {
      try {
        socket = await target.listener.accept(timeoutMs);
      } finally {
        target.listener.close();
      }
    } else {
      socket = await connectActive({ host: target.host, port: target.port, localAddress: this.localAddress, timeoutMs });
    }
    socket.resume();
    if (!this.tls.protectData) return socket;
    const secureContext = this.context.tls?.secureContext();
    if (!secureContext) throw new DataConnectionError('TLS is not configured');
    return wrapDataTls(socket, secureContext, timeoutMs);
  }

  private onData(chunk: Buffer): void {
    const reader = this.reader;
    const events = reader.feed(chunk);
    for (const [index, event] of events.entries()) {
      // AUTH TLS, run just now, replaced the reader: the lines behind it came in plaintext.
      if (this.reader !== reader) return this.dropPlaintext(events.length - index);
      this.idleTimer?.refresh();
      if (event.kind === 'overflow') {
        this.context.logs.connections.warn({ session: this.id, bytes: event.length }, 'command line too long');
        this.enqueue(null);
        continue;
      }
      // ABOR acts at once (RFC 959 §4.1.3); its reply still comes in order.
      if (this.transfer && /^abor\s*$/i.test(event.line.toString('latin1'))) {
        this.transfer.abortedByClient = true;
        this.transfer.controller.abort();
      }
      this.enqueue(event.line);
    }
  }

  private enqueue(line: Buffer | null): void {
    if (this.queue.length >= MAX_QUEUED_LINES) {
      this.replyAndClose(Reply.serviceNotAvailable, 'Too many pipelined commands.', 'command flood');
      return;
    }
    this.queue.push(line);
    if (this.queue.length > MAX_QUEUED_LINES / 4) this.socket.pause();
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const line = this.queue.shift();
        if (line === null || line === undefined) this.reply(Reply.syntaxError, 'Command line too long.');
        else await this.execute(line);
        if (this.queue.length <= MAX_QUEUED_LINES / 8 && this.socket.isPaused()) this.socket.resume();
      }
    } finally {
      this.processing = false;
    }
  }

  /** Answers one command line: refused by its preconditions, or run by its handler. */
  protected async execute(line: Buffer): Promise<void> {
    const { verb, argument, hasControlCharacters } = parseCommand(line);
    // Logged as it came, before anything refuses it, with its secrets masked.
    this.context.logs.connections.debug({ session: this.id, user: this.who, command: maskSecrets(line.toString('utf8')) }, 'command');
    if (verb === '') return this.refuse({ code: Reply.syntaxError, text: 'Empty command.' });
    const spec = Object.hasOwn(this.commands, verb) ? this.commands[verb] : undefined;
    const refusal = this.refusalFor(verb, spec, argument, hasControlCharacters);
    const previousVerb = this.lastVerb;
    this.lastVerb = verb;
    this.forgetSequenceState(verb, spec, previousVerb);
    if (refusal) return this.refuse(refusal);
    try {
      await spec!.handler!(this, argument);
    } catch (error) {
      this.replyToFailure(verb, error);
    }
  }

  /** What stops `verb` from running now (preconditions.ts), or null. */
  protected refusalFor(verb: string, spec: CommandSpec | undefined, argument: string, hasControlCharacters: boolean): Refusal | null {
    return checkPreconditions(verb, spec, argument, hasControlCharacters, {
      loggedIn: this.loggedIn,
      readOnly: this.identity?.readOnly ?? false,
      tlsRequiredButMissing: this.context.settings.requireTls && !this.tls.control,
    });
  }

  protected refuse(refusal: Refusal): void {
    this.reply(refusal.code, refusal.text);
  }

  /** The reply to a handler that failed: errors.ts maps the error; one nobody expected is logged. */
  protected replyToFailure(verb: string, error: unknown): void {
    const { code, text, unexpected } = replyForError(error);
    if (unexpected) this.context.logs.files.error({ session: this.id, user: this.who, verb, error: String(error) }, 'handler failed');
    this.reply(code, text);
  }

  /** REST, RNFR and SITE CPFR hold only for the very next command (RFC 959 §4.1.3, RFC 3659 §5.3). */
  private forgetSequenceState(verb: string, spec: CommandSpec | undefined, previousVerb: string): void {
    // Data-connection setup may come between REST and its transfer (lftp and others send REST, then PASV).
    if (this.restOffset !== 0 && !spec?.keepsRest) this.restOffset = 0;
    if (previousVerb === 'RNFR' && verb !== 'RNTO') this.renameFrom = null;
    if (previousVerb === 'SITE' && verb !== 'SITE') this.copyFrom = null;
  }

  private onIdle(): void {
    if (this.transfer) {
      this.idleTimer?.refresh();
      return;
    }
    this.replyAndClose(Reply.serviceNotAvailable, 'Idle timeout; closing control connection.', 'idle timeout');
  }

  /** Ends the session for `reason`; running transfers are cut. Idempotent. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.stopLoginDeadline();
    this.transfer?.controller.abort();
    this.clearDataTarget();
    if (!this.socket.destroyed) this.socket.destroySoon();
    this.onClose(this);
    this.context.logs.connections.info({ session: this.id, remote: this.remoteAddress, user: this.who, reason, seconds: (Date.now() - this.startedAt) / 1000 }, 'disconnected');
  }

  /** For shutdown: stop now unless a transfer runs, in which case `force` is needed. */
  shutdown(force: boolean): void {
    if (this.transfer && !force) return;
    this.replyAndClose(Reply.serviceNotAvailable, 'Server shutting down.', 'server shutdown');
  }
}

/**
 * Aborts a transfer once its data connection has moved no byte for `seconds`
 * (vsftpd's data_connection_timeout, proftpd's TimeoutStalled). The socket's
 * own timer restarts on every byte read or written. While the server itself
 * does not read (a full disk write, a locked file) and has nothing waiting to
 * be sent, the peer is not the one stalling.
 */
function watchForStall(socket: Socket, seconds: number, controller: AbortController): { stalled: boolean } {
  const state = { stalled: false };
  if (seconds <= 0) return state;
  socket.on('timeout', () => {
    // The timer fires once; it is armed again for the next quiet period.
    if (socket.isPaused() && socket.writableLength === 0) return socket.setTimeout(seconds * 1000);
    state.stalled = true;
    controller.abort();
  });
  socket.setTimeout(seconds * 1000);
  return state;
}

function endSocket(socket: Duplex): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || socket.writableFinished) return resolve();
    socket.end(() => resolve());
    socket.once('close', () => resolve());
  });
}

function wrapDataTls(socket: Socket, secureContext: SecureContext, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const secure = new TLSSocket(socket, { isServer: true, secureContext });
    const timer = setTimeout(() => {
      secure.destroy();
      reject(new DataConnectionError('TLS handshake on the data connection timed out'));
    }, timeoutMs);
    secure.once('secure', () => {
      clearTimeout(timer);
      resolve(secure);
    });
    secure.once('error', (error) => {
      clearTimeout(timer);
      reject(new DataConnectionError(`TLS on the data connection failed: ${error.message}`));
    });
  });
}
