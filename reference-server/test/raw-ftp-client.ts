/**
 * A deliberately small FTP client over node:net for precise protocol checks in
 * ftp-ref's own tests: it sends exactly the lines it is given and hands back
 * the raw replies. Every wait has a timeout; nothing here retries or guesses.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { once } from 'node:events';

export interface FtpReply {
  code: number;
  /** Every line of the reply, CRLF removed. */
  lines: string[];
  /** The text after the code on the last line. */
  text: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export interface TransferOptions {
  /** Sends `REST <restAt>` between EPSV and the transfer command. */
  restAt?: number;
}

export class RawFtp {
  private socket: Socket | TLSSocket;
  private buffer = '';
  private pending: FtpReply[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  private failure: Error | undefined;
  /** Data connections are wrapped in TLS after PROT P. */
  protectData = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.listen(socket);
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<{ client: RawFtp; greeting: FtpReply }> {
    const socket = connectTcp({ host, port });
    await once(socket, 'connect');
    const client = new RawFtp(socket);
    const greeting = await client.read();
    return { client, greeting };
  }

  /** Connects and logs in; fails loudly when the login is refused. */
  static async login(port: number, user: string, password: string): Promise<RawFtp> {
    const { client } = await RawFtp.connect(port);
    await client.expect(`USER ${user}`, 331);
    await client.expect(`PASS ${password}`, 230);
    await client.expect('TYPE I', 200);
    return client;
  }

  private listen(socket: Socket | TLSSocket): void {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.parse();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }

  private parse(): void {
    for (;;) {
      const lines = this.buffer.split('\r\n');
      lines.pop();
      const first = lines[0];
      if (first === undefined) return;
      const head = /^(\d{3})([ -])/.exec(first);
      if (!head) {
        // Not FTP: stop parsing and let the waiting read fail with the line that broke it.
        this.failure ??= new Error(`not an FTP reply line: ${JSON.stringify(first)}`);
        this.buffer = '';
        this.wake();
        return;
      }
      let count = 1;
      if (head[2] === '-') {
        const lastIndex = lines.findIndex((line, index) => index > 0 && line.startsWith(`${head[1]} `));
        if (lastIndex === -1) return;
        count = lastIndex + 1;
      }
      const taken = lines.slice(0, count);
      this.buffer = this.buffer.slice(taken.reduce((sum, line) => sum + line.length + 2, 0));
      const last = taken[taken.length - 1] as string;
      this.pending.push({ code: Number(head[1]), lines: taken, text: last.slice(4) });
      this.wake();
    }
  }

  /** The next reply, waiting up to `timeoutMs`. */
  async read(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<FtpReply> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.length === 0) {
      if (this.failure) throw this.failure;
      if (this.ended) throw new Error('control connection closed while waiting for a reply');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.pending.shift() as FtpReply;
  }

  /** Sends one command line (the CRLF is added) and returns its reply. */
  async send(line: string, timeoutMs?: number): Promise<FtpReply> {
    this.write(line);
    return this.read(timeoutMs);
  }

  /** Sends a line without waiting for the reply. */
  write(line: string): void {
    this.socket.write(`${line}\r\n`, 'latin1');
  }

  /** Sends `line` and fails unless the reply has code `code`. */
  async expect(line: string, code: number): Promise<FtpReply> {
    const reply = await this.send(line);
    if (reply.code !== code) throw new Error(`${line.replace(/^PASS .*/, 'PASS ****')}: expected ${code}, got ${reply.lines.join(' | ')}`);
    return reply;
  }

  /** AUTH TLS, then the handshake on the control connection (certificates are not checked: ftp-ref's are self-signed). */
  async startTls(): Promise<void> {
    await this.expect('AUTH TLS', 234);
    const plain = this.socket as Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = connectTls({ socket: plain, rejectUnauthorized: false });
    await once(secure, 'secureConnect');
    this.socket = secure;
    this.listen(secure);
  }

  /** The certificate the server showed on the control connection (after startTls). */
  peerCertificateDer(): Buffer {
    return (this.socket as TLSSocket).getPeerCertificate().raw;
  }

  /** EPSV and a connection to the announced port (wrapped in TLS when PROT P is on). */
  async openData(): Promise<Socket> {
    const reply = await this.expect('EPSV', 229);
    const port = Number(/\(\|\|\|(\d+)\|\)/.exec(reply.text)?.[1]);
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    await once(socket, 'connect');
    if (!this.protectData) return socket;
    const secure = connectTls({ socket, rejectUnauthorized: false });
    secure.on('error', () => {});
    return secure;
  }

  /**
   * Uploads `body` with `command` (e.g. `STOR name`, `APPE name`) and returns
   * the preliminary and final replies. A refusal before 150 is returned as `preliminary`.
   */
  async upload(command: string, body: Buffer | Uint8Array, options: TransferOptions = {}): Promise<{ preliminary: FtpReply; final: FtpReply | null }> {
    const data = await this.openData();
    await this.restartAt(options.restAt);
    const preliminary = await this.send(command);
    if (preliminary.code !== 150 && preliminary.code !== 125) {
      data.destroy();
      return { preliminary, final: null };
    }
    data.end(body);
    const final = await this.read();
    data.destroy();
    return { preliminary, final };
  }

  /** Uploads and fails unless the server answers 226. */
  async put(path: string, body: Buffer | Uint8Array, command = 'STOR', options: TransferOptions = {}): Promise<void> {
    const { preliminary, final } = await this.upload(`${command} ${path}`, body, options);
    if (final?.code !== 226) throw new Error(`${command} ${path}: expected 150 + 226, got ${preliminary.lines.join(' | ')} / ${final?.lines.join(' | ')}`);
  }

  /** Downloads with `command` (e.g. `RETR name`, `LIST`) and returns the bytes and the final reply. */
  async download(command: string, options: TransferOptions = {}): Promise<{ body: Buffer; preliminary: FtpReply; final: FtpReply | null }> {
    const data = await this.openData();
    await this.restartAt(options.restAt);
    const chunks: Buffer[] = [];
    data.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<void>((resolve) => data.once('close', () => resolve()));
    const preliminary = await this.send(command);
    if (preliminary.code !== 150 && preliminary.code !== 125) {
      data.destroy();
      return { body: Buffer.alloc(0), preliminary, final: null };
    }
    await withTimeout(closed, DEFAULT_TIMEOUT_MS, `${command}: data connection did not close`);
    const final = await this.read();
    return { body: Buffer.concat(chunks), preliminary, final };
  }

  /** Downloads and fails unless the server answers 226. */
  async get(path: string, options: TransferOptions = {}): Promise<Buffer> {
    const { body, preliminary, final } = await this.download(`RETR ${path}`, options);
    if (final?.code !== 226) throw new Error(`RETR ${path}: expected 150 + 226, got ${preliminary.lines.join(' | ')} / ${final?.lines.join(' | ')}`);
    return body;
  }

  /** REST goes right before the transfer command, after EPSV, as clients send it: REST holds only for the next command. */
  private async restartAt(offset: number | undefined): Promise<void> {
    if (offset !== undefined) await this.expect(`REST ${offset}`, 350);
  }

  /** Closes the control connection without QUIT. */
  destroy(): void {
    this.socket.destroy();
  }

  /** QUIT, then close. */
  async quit(): Promise<void> {
    if (this.ended) return;
    try {
      await this.send('QUIT', 2000);
    } catch {
      // The connection may already be gone; closing is all that matters here.
    }
    this.socket.destroy();
  }
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
