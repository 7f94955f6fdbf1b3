// The control connection: bytes out exactly as asked, replies in, nothing else.
// Like basic-ftp's FtpContext this layer knows no FTP verbs (style habit 4): QUIT,
// AUTH and the like are the caller's business. Every wait ends in an Outcome (reply,
// closed with a reason, or timeout), so a hostile or broken server is a result to
// judge, never an exception or an unhandled rejection.

import { endGracefully } from './socket-close.ts';
import net from 'node:net';
import tls from 'node:tls';
import type { Outcome } from './outcome.ts';
import { mayEndMultiline, parseReplies, pendingMultilineCode, type Reply } from './reply-parser.ts';
import { isUtf8 } from 'node:buffer';
import { Transcript, decodeBytes, escapeForDisplay } from './transcript.ts';

export type ConnectErrorReason = 'refused' | 'timeout' | 'reset' | 'tls' | 'other';

/** Connecting (or the TLS handshake) failed; `reason` classifies why. */
export class ConnectError extends Error {
  readonly reason: ConnectErrorReason;
  constructor(reason: ConnectErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectError';
    this.reason = reason;
  }
}

export interface ConnectOptions {
  host: string;
  port: number;
  /** Bounds the connect, and is the default for every later wait that names none. */
  timeoutMs: number;
  /** Share one transcript between connections; by default each gets its own. */
  transcript?: Transcript;
  /** Channel name in the transcript (default 'control'); tells sessions apart. */
  label?: string;
  /** A reply still unfinished past this many bytes closes the connection. Default 1 MiB. */
  maxPendingBytes?: number;
  /** Past this many unread replies the socket is paused until they are read. Default 1000. */
  maxQueuedReplies?: number;
}

/** What a data connection needs to resume the control connection's TLS session. */
export interface TlsReuse {
  session: Buffer | undefined;
  servername: string | undefined;
  rejectUnauthorized: boolean;
}

interface Waiter {
  resolve: (outcome: Outcome) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_MAX_PENDING = 1024 * 1024;
const DEFAULT_MAX_QUEUED = 1000;
const CLOSE_GRACE_MS = 1000;
const LF = 0x0a;

/** A readable reason for a socket error, the same words in every report. */
export function describeSocketError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNRESET':
      return 'connection reset by peer (ECONNRESET)';
    case 'EPIPE':
      return 'broken pipe (EPIPE): the peer closed while we were writing';
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ETIMEDOUT':
      return 'connection timed out (ETIMEDOUT)';
    default:
      return `${err.code ?? 'socket error'}: ${err.message}`;
  }
}

function isTlsError(err: NodeJS.ErrnoException): boolean {
  const code = err.code ?? '';
  return code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /SSL|TLS|certificate/i.test(err.message);
}

function connectErrorFor(err: NodeJS.ErrnoException, host: string, port: number): ConnectError {
  const where = `${host}:${port}`;
  if (err.code === 'ECONNREFUSED') return new ConnectError('refused', `connection to ${where} refused`, { cause: err });
  if (err.code === 'ECONNRESET') return new ConnectError('reset', `connection to ${where} reset`, { cause: err });
  if (err.code === 'ETIMEDOUT') return new ConnectError('timeout', `connection to ${where} timed out`, { cause: err });
  return new ConnectError('other', `cannot connect to ${where}: ${describeSocketError(err)}`, { cause: err });
}

export class ControlConnection {
  readonly transcript: Transcript;
  /** Transcript channel of this connection: its label, or 'control'. */
  readonly channel: string;
  readonly host: string;
  readonly port: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly defaultTimeoutMs: number;

  private socket: net.Socket;
  private readonly tcpSocket: net.Socket;
  private readonly maxPendingBytes: number;
  private readonly maxQueuedReplies: number;
  /** Bytes of a line whose LF has not arrived. */
  private partial: Buffer = Buffer.alloc(0);
  /** Complete lines of a reply not yet finished (the parser's rest). */
  private pendingText = '';
  private pendingCode: number | null = null;
  private readonly queue: Reply[] = [];
  private waiter: Waiter | null = null;
  private closeReason: string | null = null;
  private closing: Promise<void> | null = null;
  private paused = false;
  private tlsSocket: tls.TLSSocket | null = null;
  private tlsSession: Buffer | undefined;
  private tlsReuse: Omit<TlsReuse, 'session'> | null = null;

  private constructor(socket: net.Socket, options: ConnectOptions, transcript: Transcript) {
    this.socket = socket;
    this.tcpSocket = socket;
    this.transcript = transcript;
    this.channel = options.label ?? 'control';
    this.host = options.host;
    this.port = options.port;
    this.defaultTimeoutMs = options.timeoutMs;
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING;
    this.maxQueuedReplies = options.maxQueuedReplies ?? DEFAULT_MAX_QUEUED;
    this.remoteAddress = socket.remoteAddress ?? options.host;
    this.remotePort = socket.remotePort ?? options.port;
    this.localAddress = socket.localAddress ?? '';
    this.localPort = socket.localPort ?? 0;
    // Kept for the socket's whole life: an 'error' with no listener kills the process.
    socket.on('error', this.onError);
    this.attach(socket);
  }

  /** Connects; does NOT read the greeting (the greeting is a reply like any other). */
  static connect(options: ConnectOptions): Promise<ControlConnection> {
    const transcript = options.transcript ?? new Transcript(options.label);
    const channel = options.label ?? 'control';
    const where = `${options.host}:${options.port}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      const socket = net.connect({ host: options.host, port: options.port });
      const fail = (error: ConnectError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('connect', onConnect);
        socket.off('error', onError);
        socket.on('error', () => {}); // late errors of a socket we gave up on
        socket.destroy();
        transcript.note(`connect to ${where} failed: ${error.message}`, channel);
        reject(error);
      };
      const onError = (err: NodeJS.ErrnoException): void => fail(connectErrorFor(err, options.host, options.port));
      const onConnect = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.off('error', onError);
        socket.setNoDelay(true); // each send leaves as its own segment, as a test asked
        const connection = new ControlConnection(socket, options, transcript);
        transcript.note(
          `connected to ${connection.remoteAddress}:${connection.remotePort} from ${connection.localAddress}:${connection.localPort}`,
          channel,
        );
        resolve(connection);
      };
      const timer = setTimeout(
        () => fail(new ConnectError('timeout', `no connection to ${where} within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      socket.once('connect', onConnect);
      socket.once('error', onError);
    });
  }

  isClosed(): boolean {
    return this.closeReason !== null;
  }

  /** Why the connection closed, or null while it is open. */
  closedReason(): string | null {
    return this.closeReason;
  }

  isTls(): boolean {
    return this.tlsSocket !== null;
  }

  /** Replies received and not yet read. */
  queuedReplies(): number {
    return this.queue.length;
  }

  /** Sends `line` + CRLF, as UTF-8 (RFC 2640). The line may hold anything, CR and LF included. */
  sendLine(line: string, timeoutMs?: number): Promise<void> {
    return this.sendRaw(line + '\r\n', timeoutMs);
  }

  /**
   * Sends exactly these bytes (a string is encoded as UTF-8; pass a Buffer for
   * arbitrary bytes such as Telnet IAC 0xff). Never rejects: a closed connection or
   * a write the peer never drains is noted in the transcript, and the next read
   * reports it as an outcome.
   */
  sendRaw(bytes: Buffer | string, timeoutMs = this.defaultTimeoutMs): Promise<void> {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    if (this.closeReason !== null) {
      this.transcript.note(`not sent (${data.length} bytes): connection already closed (${this.closeReason})`, this.channel);
      return Promise.resolve();
    }
    this.transcript.sent(data, this.channel);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.transcript.note(`write of ${data.length} bytes not taken by the peer within ${timeoutMs} ms`, this.channel);
        resolve();
      }, timeoutMs);
      this.socket.write(data, (err) => {
        clearTimeout(timer);
        if (err) this.transcript.note(`write failed: ${err.message}`, this.channel);
        resolve();
      });
    });
  }

  /**
   * The next complete reply; replies that arrived earlier are returned in order.
   * `giveUp` ends the wait early, as a timeout (e.g. once the data connection of a
   * transfer is over and the final reply is overdue).
   */
  readReply(timeoutMs = this.defaultTimeoutMs, giveUp?: AbortSignal): Promise<Outcome> {
    return this.wait(timeoutMs, 'reply', giveUp);
  }

  /** sendLine + readReply. */
  async command(line: string, timeoutMs = this.defaultTimeoutMs): Promise<Outcome> {
    await this.sendLine(line, timeoutMs);
    return this.readReply(timeoutMs);
  }

  /**
   * Resolves 'closed' once the peer has closed; 'reply' if a reply comes first (or
   * was already queued); 'timeout' if neither happens in time.
   */
  waitForClose(timeoutMs: number): Promise<Outcome> {
    return this.wait(timeoutMs, 'close');
  }

  /**
   * Starts TLS on this connection (RFC 4217 §4, after a 234 to AUTH TLS). Rejects
   * with ConnectError ('tls' or 'timeout') if the handshake fails; the connection is
   * then closed with that reason.
   */
  async upgradeToTls(options: { rejectUnauthorized?: boolean; servername?: string; timeoutMs?: number } = {}): Promise<void> {
    if (this.closeReason !== null) {
      throw new ConnectError('tls', `cannot start TLS: connection closed (${this.closeReason})`);
    }
    if (this.tlsSocket !== null) throw new Error('upgradeToTls: TLS is already active on this connection');
    if (this.waiter !== null) throw new Error('upgradeToTls: a read is still in flight');
    this.discardPlaintextLeftovers();
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const servername = options.servername ?? (net.isIP(this.host) === 0 ? this.host : undefined);
    const rejectUnauthorized = options.rejectUnauthorized ?? false;
    this.detach(this.socket);
    const secure = tls.connect({ socket: this.tcpSocket, servername, rejectUnauthorized });
    secure.on('session', (session: Buffer) => {
      this.tlsSession = session;
    });
    const handshake = new Promise<ConnectError | null>((resolve) => {
      const done = (result: ConnectError | null): void => {
        clearTimeout(timer);
        secure.off('secureConnect', onSecure);
        secure.off('error', onFail);
        secure.off('close', onClose);
        resolve(result);
      };
      const onSecure = (): void => done(null);
      const onFail = (err: NodeJS.ErrnoException): void => {
        const reason = isTlsError(err) ? 'tls' : err.code === 'ECONNRESET' ? 'reset' : 'other';
        done(new ConnectError(reason, `TLS handshake failed: ${describeSocketError(err)}`, { cause: err }));
      };
      const onClose = (): void => done(new ConnectError('tls', 'TLS handshake failed: the peer closed the connection'));
      const timer = setTimeout(() => done(new ConnectError('timeout', `TLS handshake not finished within ${timeoutMs} ms`)), timeoutMs);
      secure.once('secureConnect', onSecure);
      secure.once('error', onFail);
      secure.once('close', onClose);
    });
    // Registered after the handshake's own listener so that its words name the failure.
    secure.on('error', this.onError);
    const failure = await handshake;
    this.socket = secure;
    this.tlsSocket = secure;
    this.tlsReuse = { servername, rejectUnauthorized };
    if (failure) {
      this.markClosed(failure.message);
      secure.destroy();
      throw failure;
    }
    this.attach(secure);
    this.transcript.note(`TLS established (${secure.getProtocol() ?? 'unknown protocol'}, ${secure.getCipher().name})`, this.channel);
  }

  /** The TLS session for a data connection to resume (RFC 4217 §10.2), or undefined without TLS. */
  tlsSessionForData(): TlsReuse | undefined {
    if (this.tlsSocket === null || this.tlsReuse === null) return undefined;
    return { ...this.tlsReuse, session: this.tlsSession ?? this.tlsSocket.getSession() };
  }

  /** Ends the socket (FIN, or TLS close_notify then FIN). Sends no QUIT. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.markClosed('closed by the harness');
    const socket = this.socket;
    this.closing = endGracefully(socket, CLOSE_GRACE_MS, socket === this.tcpSocket ? null : this.tcpSocket);
    return this.closing;
  }

  // ---- internals ----

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
  }

  private detach(socket: net.Socket): void {
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('close', this.onClose);
  }

  private wait(timeoutMs: number, purpose: 'reply' | 'close', giveUp?: AbortSignal): Promise<Outcome> {
    if (this.waiter !== null) {
      return Promise.reject(new Error('ControlConnection: a read is already in flight (one task at a time)'));
    }
    const queued = this.queue.shift();
    if (queued !== undefined) {
      this.resumeIfDrained();
      return Promise.resolve({ kind: 'reply', reply: queued });
    }
    if (this.closeReason !== null) return Promise.resolve({ kind: 'closed', reason: this.closeReason });
    return new Promise((resolve) => {
      const started = Date.now();
      const onGiveUp = (): void => {
        if (this.waiter?.timer !== timer) return;
        clearTimeout(timer);
        this.waiter = null;
        const afterMs = Date.now() - started;
        this.transcript.note(`no reply after ${afterMs} ms: ${String(giveUp?.reason ?? 'gave up waiting')}${this.describePending()}`, this.channel);
        resolve({ kind: 'timeout', afterMs });
      };
      const timer = setTimeout(() => {
        giveUp?.removeEventListener('abort', onGiveUp);
        this.waiter = null;
        const what = purpose === 'reply' ? 'no reply' : 'connection still open, no reply';
        this.transcript.note(`${what} within ${timeoutMs} ms${this.describePending()}`, this.channel);
        resolve({ kind: 'timeout', afterMs: timeoutMs });
      }, timeoutMs);
      this.waiter = {
        resolve: (outcome) => {
          giveUp?.removeEventListener('abort', onGiveUp);
          resolve(outcome);
        },
        timer,
      };
      if (giveUp?.aborted) onGiveUp();
      else giveUp?.addEventListener('abort', onGiveUp, { once: true });
    });
  }

  private settleWaiter(outcome: Outcome): boolean {
    const waiter = this.waiter;
    if (waiter === null) return false;
    this.waiter = null;
    clearTimeout(waiter.timer);
    waiter.resolve(outcome);
    return true;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closeReason !== null) return;
    const lastLf = chunk.lastIndexOf(LF);
    if (lastLf < 0) {
      this.partial = this.partial.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.partial, chunk]);
      this.checkBound();
      return;
    }
    const complete = this.partial.length === 0 ? chunk.subarray(0, lastLf + 1) : Buffer.concat([this.partial, chunk.subarray(0, lastLf + 1)]);
    this.partial = Buffer.from(chunk.subarray(lastLf + 1));
    this.transcript.received(complete, this.channel);
    const text = decodeLines(complete);
    if (this.pendingCode !== null && !mayEndMultiline(this.pendingCode, text)) {
      this.pendingText += text; // still inside the same multi-line reply: no need to re-parse
      this.checkBound();
      return;
    }
    const { replies, rest } = parseReplies(this.pendingText + text);
    this.pendingText = rest;
    this.pendingCode = pendingMultilineCode(rest);
    for (const reply of replies) this.deliver(reply);
    this.checkBound();
  };

  private readonly onEnd = (): void => {
    const leftover = this.partial.length + this.pendingText.length;
    let reason = 'peer closed the connection';
    if (leftover > 0) {
      if (this.partial.length > 0) this.transcript.received(this.partial, this.channel);
      const what = this.pendingText.length > 0 ? 'an unfinished multi-line reply' : 'an unterminated line';
      reason += ` with ${leftover} bytes of ${what} pending`;
    }
    this.markClosed(reason);
  };

  private readonly onClose = (): void => {
    this.markClosed('connection closed');
  };

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.markClosed(describeSocketError(err));
  };

  private deliver(reply: Reply): void {
    if (this.settleWaiter({ kind: 'reply', reply })) return;
    this.queue.push(reply);
    if (!this.paused && this.queue.length >= this.maxQueuedReplies) {
      // Back-pressure instead of unbounded memory: TCP flow control slows the server.
      this.paused = true;
      this.socket.pause();
    }
  }

  private resumeIfDrained(): void {
    if (this.paused && this.queue.length < this.maxQueuedReplies / 2) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private checkBound(): void {
    const pending = this.partial.length + this.pendingText.length;
    if (pending <= this.maxPendingBytes) return;
    this.markClosed(`malformed reply: more than ${this.maxPendingBytes} bytes without the reply ending; connection dropped`);
    this.partial = Buffer.alloc(0);
    this.pendingText = '';
    this.socket.destroy();
  }

  /** What a silent wait leaves behind, for the timeout note: the transcript shows whole lines only. */
  private describePending(): string {
    const pendingLines = this.pendingText.length > 0 ? this.pendingText.split('\n').length - 1 : 0;
    if (this.partial.length === 0 && pendingLines === 0) return '';
    const parts: string[] = [];
    if (pendingLines > 0) parts.push(`${pendingLines} lines of an unfinished multi-line reply`);
    if (this.partial.length > 0) {
      const shown = this.partial.subarray(0, 200);
      parts.push(`${this.partial.length} bytes of an unterminated line: "${escapeForDisplay(decodeBytes(shown).text, !isUtf8(shown))}"`);
    }
    return ` (pending: ${parts.join('; ')})`;
  }

  /** Plaintext that arrived before the handshake must not be read as if it were protected. */
  private discardPlaintextLeftovers(): void {
    const extra = this.queue.length + this.partial.length + this.pendingText.length;
    if (extra === 0) return;
    this.transcript.note(
      `discarding ${this.queue.length} replies and ${this.partial.length + this.pendingText.length} bytes received in plaintext before the TLS handshake (cf. CVE-2011-0411)`,
      this.channel,
    );
    this.queue.length = 0;
    this.partial = Buffer.alloc(0);
    this.pendingText = '';
    this.pendingCode = null;
  }

  private markClosed(reason: string): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    this.transcript.note(`closed: ${reason}`, this.channel);
    // A waiter exists only while the queue is empty, so 'closed' is the true next outcome.
    this.settleWaiter({ kind: 'closed', reason });
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }
}

/** Decodes complete lines one by one: UTF-8 where valid, else one char per byte. */
function decodeLines(bytes: Buffer): string {
  let out = '';
  let start = 0;
  while (start < bytes.length) {
    const lf = bytes.indexOf(LF, start);
    const end = lf < 0 ? bytes.length : lf + 1;
    out += decodeBytes(bytes.subarray(start, end)).text;
    start = end;
  }
  return out;
}
