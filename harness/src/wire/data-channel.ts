// Data connections: passive (PASV, EPSV) and active (PORT, EPRT), plain or TLS.
// The address parsers and formatters are pure. openDataChannel is the one place in
// the wire layer that names verbs, and only these four, because opening a data
// channel is meaningless without them.

import { dropSocket, endGracefully } from './socket-close.ts';
import net from 'node:net';
import tls from 'node:tls';
import type { ControlConnection, TlsReuse } from './control-connection.ts';
import { describeSocketError } from './control-connection.ts';
import { describeOutcome, type Outcome } from './outcome.ts';
import type { Reply } from './reply-parser.ts';

export type DataMode = 'pasv' | 'epsv' | 'port' | 'eprt';

export type ReceiveResult = { data: Buffer } | { error: string; partial?: Buffer };
export type SendResult = { sent: number } | { error: string; sent?: number };

export interface SendOptions {
  /** Send only the first `stopAfter` bytes: an interrupted upload. */
  stopAfter?: number;
  /**
   * After `stopAfter` bytes: 'reset' (default) aborts the connection with RST, as a
   * crashed client would; 'end' closes it cleanly (a short upload); 'hold' leaves it
   * open, so the caller can send ABOR or the like, and later abort() or close().
   */
  afterStop?: 'reset' | 'end' | 'hold';
  /** Write no faster than this (bytes per second), as a slow client on a thin link does. Default: as fast as the server takes it. */
  bytesPerSecond?: number;
}

export interface DataChannel {
  mode: DataMode;
  /** Everything the server sends until it closes the data connection, within timeoutMs in all. */
  receiveAll(timeoutMs: number): Promise<ReceiveResult>;
  /** Sends the bytes then closes our side (FIN), within timeoutMs in all. */
  sendAll(bytes: Buffer, timeoutMs: number, options?: SendOptions): Promise<SendResult>;
  /** Drops the connection at once (RST where possible); stops listening. Idempotent. */
  abort(): void;
  /** Ends the connection cleanly, or drops it after a grace period; stops listening. Idempotent. */
  close(): Promise<void>;
  /** Whether a data connection exists yet (in active mode: the server has connected). */
  connected(): boolean;
  /**
   * Starts TLS on the data connection (now, or as soon as it exists). With
   * `tlsStart: 'after-preliminary'` the transfer calls it on the 1xx reply, as lftp
   * does. True when TLS was waiting for this call; false without TLS or once started.
   */
  startTls(): boolean;
}

export interface OpenDataChannelOptions {
  timeoutMs: number;
  /** Protect the data connection with TLS (after PROT P), resuming the control session. */
  tls?: boolean;
  /**
   * Address to listen on and announce in PORT/EPRT; default the control's local
   * address. Only that address or another loopback one (127.0.0.0/8, the "third
   * host" of bounce-protection checks) is accepted: ftp-check never invites a
   * server to connect anywhere else.
   */
  activeHost?: string;
  /**
   * Where to connect after PASV: 'control-peer' (default) uses the control
   * connection's peer whatever host the 227 names, as curl does by default since
   * 7.74.0 (CURLOPT_FTP_SKIP_PASV_IP), so a hostile 227 cannot aim ftp-check at a
   * third host. lftp by default only swaps a private 227 address from a public
   * server (ftp:fix-pasv-address) and else follows the 227. 'as-told' connects to
   * the 227's address. A differing address is noted either way.
   */
  passiveHost?: 'as-told' | 'control-peer';
  /** A download past this many bytes is aborted and reported. Default 16 MiB. */
  maxReceiveBytes?: number;
  /** Read no faster than this (bytes per second), as a slow client on a thin link does. Default: as fast as it comes. */
  readBytesPerSecond?: number;
  /**
   * When TLS begins on a protected data connection. 'on-connect' (default) sends the
   * ClientHello as soon as the TCP connection exists, before the transfer command,
   * as curl 7.88 does (seen in its trace). 'after-preliminary' waits for startTls(),
   * which the transfer calls on the 1xx reply, as lftp 4.9 does (WAITING_150_STATE,
   * then after ftp:waiting-150-timeout, 5 s, without a 1xx) and older curl did
   * (InitiateTransfer after the 150). A server that holds its 150 until the
   * handshake serves the first timing at once and the second only after lftp's wait.
   */
  tlsStart?: 'after-preliminary' | 'on-connect';
  /** Told the running byte count as data arrives or leaves (a progress bar listens). */
  onProgress?: (bytes: number) => void;
}

/** A download or listing past this size is cut unless the caller asks for more (memory stays bounded). */
export const DEFAULT_MAX_RECEIVE = 16 * 1024 * 1024;
const CLOSE_GRACE_MS = 1000;
/** Time for bytes handed to the kernel to reach the peer before an RST discards them. */
const RESET_SETTLE_MS = 50;
/** An upload someone watches (onProgress) is written in slices of this size. */
const PROGRESS_SLICE_BYTES = 256 * 1024;
/** A paced upload writes this many slices a second. */
const PACE_SLICES_PER_SECOND = 20;

// ---- pure address helpers ----

function byte(text: string): number | null {
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : null;
}

/**
 * Reads the address of a 227 reply. RFC 959 §4.1.2 shows `(h1,h2,h3,h4,p1,p2)`, but
 * RFC 1123 §4.1.2.6 warns the format is not well standardized and tells clients to
 * scan for the six numbers, parentheses or not.
 */
export function parsePasvReply(message: string): { host: string; port: number } | null {
  const m = /(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})/.exec(message);
  if (!m) return null;
  const parts = m.slice(1, 7).map((p) => byte(p ?? ''));
  if (parts.some((p) => p === null)) return null;
  const [h1, h2, h3, h4, p1, p2] = parts as number[];
  const port = (p1 as number) * 256 + (p2 as number);
  if (port === 0) return null;
  return { host: `${h1}.${h2}.${h3}.${h4}`, port };
}

/**
 * Reads the port of a 229 reply, RFC 2428 §3: `(<d><d><d><port><d>)` where the
 * delimiter is any printable ASCII character other than a digit, `|` by default.
 */
export function parseEpsvReply(message: string): { port: number } | null {
  const m = /\(([!-/:-~])\1\1(\d{1,5})\1\)/.exec(message) ?? /([!-/:-~])\1\1(\d{1,5})\1/.exec(message);
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { port } : null;
}

/** `::ffff:1.2.3.4` is the IPv4 address 1.2.3.4 seen through an IPv6 socket. */
function unmapIpv4(host: string): string {
  return host.toLowerCase().startsWith('::ffff:') && net.isIPv4(host.slice(7)) ? host.slice(7) : host;
}

function isLoopbackV4(host: string): boolean {
  return net.isIPv4(host) && host.startsWith('127.');
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`not a TCP port: ${port}`);
}

/** The argument of PORT (RFC 959 §4.1.2): `h1,h2,h3,h4,p1,p2`, without the verb. IPv4 only. */
export function formatPort(host: string, port: number): string {
  const v4 = unmapIpv4(host);
  if (!net.isIPv4(v4)) throw new RangeError(`PORT carries IPv4 addresses only, not ${host}; use EPRT`);
  checkPort(port);
  return `${v4.split('.').join(',')},${Math.floor(port / 256)},${port % 256}`;
}

/** The argument of EPRT (RFC 2428 §2): `|1|h|port|` or `|2|h|port|`, without the verb. */
export function formatEprt(host: string, port: number): string {
  const addr = unmapIpv4(host);
  checkPort(port);
  if (net.isIPv4(addr)) return `|1|${addr}|${port}|`;
  if (net.isIPv6(addr)) return `|2|${addr}|${port}|`;
  throw new RangeError(`EPRT needs an IP address, not ${host}`);
}

// ---- the channel ----

type Waker = () => void;

/** One data connection, connected (passive) or awaited (active); bytes buffered from the start. */
class SocketDataChannel implements DataChannel {
  readonly mode: DataMode;
  private socket: net.Socket | null = null;
  private tcp: net.Socket | null = null;
  private listener: net.Server | null;
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private state: { kind: 'open' } | { kind: 'ended' } | { kind: 'failed'; reason: string } = { kind: 'open' };
  private secureReady = false;
  /** TLS is to begin as soon as there is a connection (on-connect, or startTls() came first). */
  private tlsWanted: boolean;
  private wakers: Waker[] = [];
  private closing: Promise<void> | null = null;

  constructor(
    mode: DataMode,
    private readonly control: ControlConnection,
    private readonly channelName: string,
    private readonly tlsReuse: TlsReuse | undefined,
    private readonly maxReceiveBytes: number,
    listener: net.Server | null,
    private readonly readBytesPerSecond?: number,
    tlsStart: OpenDataChannelOptions['tlsStart'] = 'on-connect',
    private readonly onProgress?: (bytes: number) => void,
  ) {
    this.tlsWanted = tlsStart === 'on-connect';
    this.mode = mode;
    this.listener = listener;
    if (listener) {
      listener.on('connection', this.onConnection);
      listener.on('error', (err: NodeJS.ErrnoException) => this.note(`listener error: ${describeSocketError(err)}`));
    }
  }

  connected(): boolean {
    return this.tcp !== null;
  }

  startTls(): boolean {
    const waiting = this.tlsReuse !== undefined && !this.tlsWanted;
    this.tlsWanted = true;
    if (this.tlsReuse && this.tcp !== null && this.socket === null && this.state.kind === 'open') this.beginTls(this.tcp);
    return waiting;
  }

  /** Takes over a connected TCP socket: TLS on top if asked (now or at startTls()), every event handled. */
  adopt(tcp: net.Socket): void {
    this.tcp = tcp;
    tcp.on('error', (err: NodeJS.ErrnoException) => this.fail(describeSocketError(err)));
    if (!this.tlsReuse) {
      this.secureReady = true;
      this.attach(tcp);
    } else if (this.tlsWanted) {
      this.beginTls(tcp);
    } else {
      // Until TLS begins the server has nothing to send; its close ends the channel.
      tcp.once('close', () => this.fail('data connection closed before TLS began on it'));
      this.wake();
    }
  }

  private beginTls(tcp: net.Socket): void {
    const reuse = this.tlsReuse as TlsReuse;
    this.note('TLS handshake begun on the data connection');
    const secure = tls.connect({
      socket: tcp,
      session: reuse.session,
      servername: reuse.servername,
      rejectUnauthorized: reuse.rejectUnauthorized,
    });
    secure.once('secureConnect', () => {
      this.secureReady = true;
      this.note(`TLS on the data connection (${secure.getProtocol() ?? '?'}, session ${secure.isSessionReused() ? 'reused' : 'NOT reused'})`);
      this.wake();
    });
    secure.on('error', (err: NodeJS.ErrnoException) => this.fail(`TLS on the data connection failed: ${describeSocketError(err)}`));
    this.attach(secure);
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      if (this.received > this.maxReceiveBytes) {
        this.fail(`more than ${this.maxReceiveBytes} bytes received; data connection dropped`);
        socket.destroy();
        return;
      }
      this.chunks.push(chunk);
      this.onProgress?.(this.received);
      const rate = this.readBytesPerSecond;
      if (rate !== undefined && rate > 0) {
        // A slow reader: stop reading for as long as this chunk "took"; the server meets TCP backpressure.
        socket.pause();
        setTimeout(() => socket.resume(), Math.ceil((chunk.length * 1000) / rate));
      }
    });
    socket.on('end', () => {
      if (this.state.kind === 'open') this.state = { kind: 'ended' };
      this.wake();
    });
    socket.on('close', () => this.fail('data connection closed before the end of data'));
    this.wake();
  }

  async receiveAll(timeoutMs: number): Promise<ReceiveResult> {
    const done = await this.waitFor(() => this.state.kind !== 'open', timeoutMs);
    const data = Buffer.concat(this.chunks);
    this.chunks.length = 0; // held once, in `data`, from here on
    this.chunks.push(data);
    if (!done) {
      const where = this.socket ? `${data.length} bytes received, connection still open` : this.tcp ? 'connected, TLS not begun' : this.neverConnected();
      const error = `data connection not finished within ${timeoutMs} ms (${where})`;
      this.note(error);
      return { error, partial: data };
    }
    if (this.state.kind === 'failed') return { error: this.state.reason, partial: data };
    this.note(`received ${data.length} bytes, then end of data`);
    return { data };
  }

  async sendAll(bytes: Buffer, timeoutMs: number, options: SendOptions = {}): Promise<SendResult> {
    const deadline = Date.now() + timeoutMs;
    const left = (): number => Math.max(1, deadline - Date.now());
    const ready = await this.waitFor(() => (this.socket !== null && this.secureReady) || this.state.kind !== 'open', timeoutMs);
    const socket = this.socket;
    if (!ready || socket === null) {
      const error = `cannot send: ${socket ? 'TLS handshake not finished' : this.tcp ? 'TLS not begun on the data connection' : this.neverConnected()} within ${timeoutMs} ms`;
      this.note(error);
      return { error, sent: 0 };
    }
    if (this.state.kind === 'failed') return { error: this.state.reason, sent: 0 };
    if (this.state.kind === 'ended') {
      // A FIN from the server ends its side only; writing is still allowed (half-close).
      this.note('the server closed its side of the data connection before we sent');
    }
    const stop = options.stopAfter;
    const payload = stop === undefined ? bytes : bytes.subarray(0, Math.max(0, Math.min(stop, bytes.length)));
    const rate = options.bytesPerSecond;
    const written =
      rate !== undefined && rate > 0
        ? await this.writePaced(socket, payload, rate, left)
        : this.onProgress
          ? await this.writeSliced(socket, payload, left)
          : await this.writeBounded(socket, payload, left());
    if (written !== null) return { error: written, sent: 0 };
    if (stop !== undefined) {
      const after = options.afterStop ?? 'reset';
      this.note(`sent ${payload.length} of ${bytes.length} bytes, then ${after}`);
      if (after === 'hold') return { sent: payload.length };
      if (after === 'reset') {
        await delay(Math.min(RESET_SETTLE_MS, left()));
        this.abort();
        return { sent: payload.length };
      }
    }
    const finished = await this.endBounded(socket, left());
    if (finished !== null) return { error: finished, sent: payload.length };
    if (stop === undefined) this.note(`sent ${payload.length} bytes, then end of data`);
    return { sent: payload.length };
  }

  abort(): void {
    this.stopListening();
    this.fail('data connection aborted by the harness');
    dropSocket(this.tcp, this.socket === this.tcp ? null : this.socket);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.stopListening();
    this.fail('data channel closed by the harness'); // a no-op after a clean end of data
    const socket = this.socket ?? this.tcp;
    this.closing = endGracefully(socket, CLOSE_GRACE_MS, socket === this.tcp ? null : this.tcp);
    return this.closing;
  }

  // ---- internals ----

  private readonly onConnection = (socket: net.Socket): void => {
    const from = `${socket.remoteAddress}:${socket.remotePort}`;
    if (this.tcp !== null || this.closing || this.state.kind !== 'open') {
      this.note(`refused a further connection to our ${this.mode.toUpperCase()} listener from ${from}`);
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    this.stopListening();
    const expected = unmapIpv4(this.control.remoteAddress);
    const actual = unmapIpv4(socket.remoteAddress ?? '');
    this.note(`accepted the server's data connection from ${from}`);
    if (actual !== expected) {
      this.note(`data connection came from ${actual}, not from the control peer ${expected}`);
    }
    this.adopt(socket);
  };

  private neverConnected(): string {
    return this.listener !== null ? 'the server never connected to our listener' : 'no data connection';
  }

  private stopListening(): void {
    const listener = this.listener;
    if (listener === null) return;
    this.listener = null;
    listener.off('connection', this.onConnection);
    listener.close();
  }

  private fail(reason: string): void {
    if (this.state.kind !== 'open') return;
    this.state = { kind: 'failed', reason };
    this.note(reason + (this.received > 0 ? ` (after ${this.received} bytes received)` : ''));
    this.wake();
  }

  private note(text: string): void {
    this.control.transcript.note(text, this.channelName);
  }

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  /** Resolves true once `ready()` holds, false after timeoutMs. Leaves nothing behind. */
  private waitFor(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check: Waker = () => {
        if (ready()) {
          clearTimeout(timer);
          resolve(true);
        } else {
          this.wakers.push(check);
        }
      };
      const timer = setTimeout(() => {
        this.wakers = this.wakers.filter((w) => w !== check);
        resolve(false);
      }, timeoutMs);
      this.wakers.push(check);
    });
  }

  /** Writes in slices of a twentieth of a second's worth, each after the time the ones before it "took". */
  private async writePaced(socket: net.Socket, payload: Buffer, bytesPerSecond: number, left: () => number): Promise<string | null> {
    const slice = Math.max(1, Math.floor(bytesPerSecond / PACE_SLICES_PER_SECOND));
    const started = Date.now();
    for (let offset = 0; offset < payload.length; offset += slice) {
      const due = started + Math.floor((offset * 1000) / bytesPerSecond);
      if (due > Date.now()) await delay(Math.min(due - Date.now(), left()));
      if (socket.destroyed) return this.state.kind === 'failed' ? this.state.reason : 'data connection closed before all our data was sent';
      const error = await this.writeBounded(socket, payload.subarray(offset, offset + slice), left());
      if (error !== null) return error;
      this.onProgress?.(Math.min(payload.length, offset + slice));
    }
    return null;
  }

  /** Writes slice after slice, telling onProgress the bytes taken so far. */
  private async writeSliced(socket: net.Socket, payload: Buffer, left: () => number): Promise<string | null> {
    for (let offset = 0; offset < payload.length; offset += PROGRESS_SLICE_BYTES) {
      if (socket.destroyed) return this.state.kind === 'failed' ? this.state.reason : 'data connection closed before all our data was sent';
      const slice = payload.subarray(offset, offset + PROGRESS_SLICE_BYTES);
      const error = await this.writeBounded(socket, slice, left());
      if (error !== null) return error;
      this.onProgress?.(offset + slice.length);
    }
    return null;
  }

  private writeBounded(socket: net.Socket, payload: Buffer, timeoutMs: number): Promise<string | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(`the server did not take ${payload.length} bytes within ${timeoutMs} ms`), timeoutMs);
      socket.write(payload, (err) => {
        clearTimeout(timer);
        resolve(err ? `write failed: ${describeSocketError(err as NodeJS.ErrnoException)}` : null);
      });
    });
  }

  private endBounded(socket: net.Socket, timeoutMs: number): Promise<string | null> {
    return new Promise((resolve) => {
      if (socket.writableFinished) {
        resolve(null);
        return;
      }
      const finish = (error: string | null): void => {
        clearTimeout(timer);
        socket.off('finish', onFinish);
        socket.off('close', onClose);
        resolve(error);
      };
      const onFinish = (): void => finish(null);
      const onClose = (): void => finish(this.state.kind === 'failed' ? this.state.reason : 'data connection closed before our data was flushed');
      const timer = setTimeout(() => finish(`end of data not flushed within ${timeoutMs} ms`), timeoutMs);
      socket.once('finish', onFinish);
      socket.once('close', onClose);
      socket.end();
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Connects within `timeoutMs`: the socket, or why not. `socket` may be one made already (e.g. with its own read buffer). */
export function connectBounded(host: string, port: number, timeoutMs: number, socket: net.Socket = net.connect({ host, port })): Promise<net.Socket | string> {
  return new Promise((resolve) => {
    const finish = (result: net.Socket | string): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (typeof result === 'string') {
        socket.on('error', () => {});
        socket.destroy();
      }
      resolve(result);
    };
    const onConnect = (): void => finish(socket);
    const onError = (err: NodeJS.ErrnoException): void => finish(describeSocketError(err));
    const timer = setTimeout(() => finish(`no connection within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
}

function listenBounded(host: string, timeoutMs: number): Promise<net.Server | string> {
  return new Promise((resolve) => {
    const server = net.createServer();
    const finish = (result: net.Server | string): void => {
      clearTimeout(timer);
      server.off('error', onError);
      if (typeof result === 'string') server.close();
      resolve(result);
    };
    const onError = (err: NodeJS.ErrnoException): void => finish(describeSocketError(err));
    const timer = setTimeout(() => finish(`could not listen within ${timeoutMs} ms`), timeoutMs);
    server.once('error', onError);
    server.listen({ host, port: 0 }, () => finish(server));
  });
}

type OpenResult = { channel: DataChannel; reply: Reply } | { error: string; outcome?: Outcome };

/**
 * Opens a data channel. pasv/epsv: sends PASV/EPSV, parses the reply, connects.
 * port/eprt: listens, sends PORT/EPRT, and accepts the server's connection lazily,
 * while the transfer command runs. Never throws for anything the server does.
 */
export async function openDataChannel(control: ControlConnection, mode: DataMode, options: OpenDataChannelOptions): Promise<OpenResult> {
  const { timeoutMs } = options;
  const deadline = Date.now() + timeoutMs;
  const left = (): number => Math.max(1, deadline - Date.now());
  const channelName = control.channel === 'control' ? 'data' : `${control.channel}:data`;
  const maxReceive = options.maxReceiveBytes ?? DEFAULT_MAX_RECEIVE;
  let reuse: TlsReuse | undefined;
  if (options.tls) {
    reuse = control.tlsSessionForData();
    if (!reuse) return { error: 'a TLS data channel needs TLS on the control connection first' };
  }
  const note = (text: string): void => control.transcript.note(text, channelName);

  if (mode === 'pasv' || mode === 'epsv') {
    const verb = mode === 'pasv' ? 'PASV' : 'EPSV';
    const expected = mode === 'pasv' ? 227 : 229;
    const outcome = await control.command(verb, left());
    if (outcome.kind !== 'reply' || outcome.reply.code !== expected) {
      return { error: `${verb} did not give a ${expected}: ${describeOutcome(outcome)}`, outcome };
    }
    const reply = outcome.reply;
    const peer = unmapIpv4(control.remoteAddress);
    let host = peer;
    let port: number;
    if (mode === 'pasv') {
      const address = parsePasvReply(reply.message);
      if (!address) return { error: `cannot read an address in the 227 reply: ${JSON.stringify(reply.message)}`, outcome };
      port = address.port;
      const asTold = (options.passiveHost ?? 'control-peer') === 'as-told';
      if (address.host !== peer) {
        note(`PASV named ${address.host}, not the control connection's peer ${peer}${asTold ? '' : `: connecting to ${peer} instead (as curl does)`}`);
      }
      if (asTold) host = address.host;
    } else {
      const address = parseEpsvReply(reply.message);
      if (!address) return { error: `cannot read a port in the 229 reply: ${JSON.stringify(reply.message)}`, outcome };
      port = address.port;
    }
    const socket = await connectBounded(host, port, left());
    if (typeof socket === 'string') {
      const error = `cannot connect to the passive address ${host}:${port}: ${socket}`;
      note(error);
      return { error, outcome };
    }
    note(`connected to ${host}:${port} (${verb})`);
    const channel = new SocketDataChannel(mode, control, channelName, reuse, maxReceive, null, options.readBytesPerSecond, options.tlsStart, options.onProgress);
    channel.adopt(socket);
    return { channel, reply };
  }

  const host = unmapIpv4(options.activeHost ?? control.localAddress);
  if (host !== unmapIpv4(control.localAddress) && !isLoopbackV4(host)) {
    return { error: `refusing to announce ${host} in ${mode.toUpperCase()}: only ftp-check's own address ${unmapIpv4(control.localAddress)} or a loopback address` };
  }
  const listener = await listenBounded(host, left());
  if (typeof listener === 'string') return { error: `cannot listen on ${host} for the data connection: ${listener}` };
  const address = listener.address() as net.AddressInfo;
  let argument: string;
  try {
    argument = mode === 'port' ? formatPort(host, address.port) : formatEprt(host, address.port);
  } catch (err) {
    listener.close();
    return { error: (err as Error).message };
  }
  const verb = mode === 'port' ? 'PORT' : 'EPRT';
  note(`listening on ${host}:${address.port} for the server's data connection`);
  // The listener is owned by the channel from here on, so every path below closes it.
  const channel = new SocketDataChannel(mode, control, channelName, reuse, maxReceive, listener, options.readBytesPerSecond, options.tlsStart, options.onProgress);
  const outcome = await control.command(`${verb} ${argument}`, left());
  if (outcome.kind !== 'reply' || outcome.reply.code !== 200) {
    channel.abort();
    return { error: `${verb} did not give a 200: ${describeOutcome(outcome)}`, outcome };
  }
  return { channel, reply: outcome.reply };
}
