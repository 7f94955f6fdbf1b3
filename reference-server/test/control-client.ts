/**
 * A deliberately small raw FTP client for ftp-ref's own tests: it writes bytes
 * exactly as given and hands back replies as they came, so tests can send what
 * no real client would. Every wait has a timeout; the transcript goes into
 * every assertion message.
 */
import { connect, createServer, type Socket } from 'node:net';
import { once } from 'node:events';

export interface FtpReply {
  code: number;
  /** Every line of the reply, code prefixes included. */
  lines: string[];
  /** The text after the code of the last line. */
  text: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

export class ControlClient {
  /** Everything sent (`> `) and received (`< `), for failure messages. */
  readonly transcript: string[] = [];
  /** Every reply received, in order. */
  readonly replies: FtpReply[] = [];
  private buffer = '';
  private partial: string[] | null = null;
  private unread: FtpReply[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => this.onText(text));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.waiter?.();
        resolve();
      }),
    );
  }

  /** Connects; the greeting is the first reply `read()` returns. */
  static async connect(port: number, options: { host?: string; localAddress?: string } = {}): Promise<ControlClient> {
    const socket = connect({ host: options.host ?? '127.0.0.1', port, localAddress: options.localAddress });
    await withTimeout(once(socket, 'connect'), DEFAULT_TIMEOUT_MS, 'connect');
    return new ControlClient(socket);
  }

  /** Connects, reads the 220 greeting and, when given, logs in (230 expected). */
  static async open(port: number, login?: { user: string; password: string }): Promise<ControlClient> {
    const client = await ControlClient.connect(port);
    await client.expectReply(220);
    if (login) await client.login(login.user, login.password);
    return client;
  }

  get isClosed(): boolean {
    return this.ended;
  }

  private onText(text: string): void {
    this.buffer += text;
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end === -1) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.transcript.push(`< ${line}`);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (this.partial) {
      this.partial.push(line);
      const code = (this.partial[0] as string).slice(0, 3);
      if (line.startsWith(`${code} `)) this.finish(this.partial);
      return;
    }
    if (/^\d{3}-/.test(line)) this.partial = [line];
    else this.finish([line]);
  }

  private finish(lines: string[]): void {
    this.partial = null;
    const last = lines[lines.length - 1] as string;
    const reply = { code: Number(last.slice(0, 3)), lines, text: last.slice(4) };
    this.replies.push(reply);
    this.unread.push(reply);
    this.waiter?.();
  }

  /** Writes raw bytes, exactly. */
  write(bytes: string | Buffer): void {
    const shown = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
    this.transcript.push(`> ${shown.length > 200 ? `${shown.slice(0, 200)}... (${shown.length} bytes)` : shown.replace(/\r\n$/, '')}`);
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Sends one command line, CRLF added. */
  send(line: string): void {
    this.write(`${line}\r\n`);
  }

  /** The next reply, waiting up to `timeoutMs`; rejects when the connection closes first. */
  async read(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<FtpReply> {
    const deadline = Date.now() + timeoutMs;
    while (this.unread.length === 0) {
      if (this.ended) throw new Error(`connection closed while waiting for a reply\n${this.dump()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms\n${this.dump()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.unread.shift() as FtpReply;
  }

  /** Sends a command and returns its reply. */
  async command(line: string, timeoutMs?: number): Promise<FtpReply> {
    this.send(line);
    return this.read(timeoutMs);
  }

  /** Reads the next reply and fails (with the transcript) unless it has `code`. */
  async expectReply(code: number, timeoutMs?: number): Promise<FtpReply> {
    const reply = await this.read(timeoutMs);
    if (reply.code !== code) throw new Error(`expected ${code}, got ${reply.lines.join(' | ')}\n${this.dump()}`);
    return reply;
  }

  /** Sends a command and fails (with the transcript) unless its reply has `code`. */
  async expect(line: string, code: number, timeoutMs?: number): Promise<FtpReply> {
    this.send(line);
    return this.expectReply(code, timeoutMs);
  }

  async login(user: string, password: string): Promise<void> {
    await this.expect(`USER ${user}`, 331);
    await this.expect(`PASS ${password}`, 230);
  }

  /** PASV, and the announced port. */
  async pasv(): Promise<number> {
    const reply = await this.expect('PASV', 227);
    const match = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply.text);
    if (!match) throw new Error(`unparsable 227: ${reply.text}`);
    return Number(match[5]) * 256 + Number(match[6]);
  }

  /** PASV and a connected data socket (from `localAddress` when given). */
  async openPassive(localAddress?: string): Promise<Socket> {
    const port = await this.pasv();
    return connectData(port, localAddress);
  }

  /** RETR over a passive connection: the bytes, after 150 and 226. */
  async retr(path: string): Promise<Buffer> {
    const data = await this.openPassive();
    const body = collect(data);
    await this.expect(`RETR ${path}`, 150);
    const bytes = await body;
    await this.expectReply(226);
    return bytes;
  }

  /** STOR over a passive connection, expecting 150 and 226. */
  async stor(path: string, bytes: Buffer): Promise<void> {
    const data = await this.openPassive();
    await this.expect(`STOR ${path}`, 150);
    data.end(bytes);
    await this.expectReply(226);
  }

  /** A listing (LIST, NLST, MLSD) over a passive connection, as text. */
  async listing(command: string): Promise<string> {
    const data = await this.openPassive();
    const body = collect(data);
    await this.expect(command, 150);
    const bytes = await body;
    await this.expectReply(226);
    return bytes.toString('utf8');
  }

  /** Waits until the server closes the connection. */
  async waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    await withTimeout(this.closed, timeoutMs, `waiting for the server to close\n${this.dump()}`);
  }

  close(): void {
    this.socket.destroy();
  }

  dump(): string {
    return ['--- transcript ---', ...this.transcript.slice(-40)].join('\n');
  }
}

/** A data socket connected to a passive port. */
export async function connectData(port: number, localAddress?: string): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => {});
  await withTimeout(once(socket, 'connect'), DEFAULT_TIMEOUT_MS, `data connect to ${port}`);
  return socket;
}

/** Listens for an active-mode data connection; `port` is what PORT/EPRT should announce. */
export async function listenActive(host = '127.0.0.1'): Promise<{ port: number; accepted: Promise<Socket>; close(): void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const accepted = new Promise<Socket>((resolve) =>
    server.once('connection', (socket) => {
      socket.on('error', () => {});
      resolve(socket);
    }),
  );
  return { port: address.port, accepted, close: () => server.close() };
}

/** `h1,h2,h3,h4,p1,p2` for PORT. */
export function portArgument(host: string, port: number): string {
  return [...host.split('.'), Math.floor(port / 256), port % 256].join(',');
}

/** Every byte a socket delivers until it ends. */
export function collect(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
