/**
 * A lean FTP session loop for the benchmark: N clients, each repeating
 * connect, login, PWD, TYPE I, EPSV+LIST, EPSV+RETR, QUIT as fast as the
 * server allows, on plain sockets (no parser beyond reply codes), so the client
 * is not the bottleneck. Latency per session goes into an HDR histogram.
 */
import { connect, type Socket } from 'node:net';
import * as hdr from 'hdr-histogram-js';

export interface SessionLoopOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  clients: number;
  durationMs: number;
  listPath: string;
  retrPath: string;
}

export interface SessionLoopResult {
  sessions: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstError?: string;
}

class LineClient {
  private buffer = '';
  private waiters: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  private lines: string[] = [];

  constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let index: number;
      while ((index = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, index).replace(/\r$/, '');
        this.buffer = this.buffer.slice(index + 1);
        // Only final lines of replies matter here: "ddd text".
        if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
          const waiter = this.waiters.shift();
          if (waiter) waiter.resolve(line);
          else this.lines.push(line);
        }
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('connection closed'));
    });
  }

  reply(): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('reply timeout')), 10_000);
      this.waiters.push({
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  async command(line: string, expected: RegExp): Promise<string> {
    this.socket.write(`${line}\r\n`);
    const reply = await this.reply();
    if (!expected.test(reply)) throw new Error(`${line.split(' ')[0]}: ${reply}`);
    return reply;
  }
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** Reads a data connection to its end. */
function drain(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.once('end', () => resolve(bytes));
    socket.once('error', reject);
  });
}

async function transfer(client: LineClient, host: string, command: string): Promise<void> {
  const epsv = await client.command('EPSV', /^229 /);
  const port = Number(/\|\|\|(\d+)\|/.exec(epsv)?.[1]);
  const data = await open(host, port);
  const drained = drain(data);
  await client.command(command, /^1\d\d /);
  await drained;
  const final = await client.reply();
  if (!/^2\d\d /.test(final)) throw new Error(`${command}: ${final}`);
}

async function oneSession(options: SessionLoopOptions): Promise<void> {
  const socket = await open(options.host, options.port);
  const client = new LineClient(socket);
  try {
    const greeting = await client.reply();
    if (!greeting.startsWith('220')) throw new Error(`greeting: ${greeting}`);
    await client.command(`USER ${options.user}`, /^331 /);
    await client.command(`PASS ${options.password}`, /^230 /);
    await client.command('PWD', /^257 /);
    await client.command('TYPE I', /^200 /);
    await transfer(client, options.host, `LIST ${options.listPath}`);
    await transfer(client, options.host, `RETR ${options.retrPath}`);
    await client.command('QUIT', /^221 /);
  } finally {
    socket.destroy();
  }
}

export async function runSessionLoop(options: SessionLoopOptions): Promise<SessionLoopResult> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const started = performance.now();
  const deadline = started + options.durationMs;
  let sessions = 0;
  let errors = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        try {
          await oneSession(options);
          sessions++;
          histogram.recordValue(Math.max(1, Math.round((performance.now() - begin) * 1000)));
        } catch (error) {
          errors++;
          firstError ??= (error as Error).message;
          if (errors > 1000) return;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const result: SessionLoopResult = {
    sessions,
    errors,
    seconds,
    perSecond: sessions / seconds,
    p50Ms: histogram.getValueAtPercentile(50) / 1000,
    p99Ms: histogram.getValueAtPercentile(99) / 1000,
    firstError,
  };
  histogram.destroy();
  return result;
}
