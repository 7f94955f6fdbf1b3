/**
 * One student's server as a process: started in its own process group in a
 * fresh root folder outside the repo, on a free loopback port, watched for
 * memory, waited on for its 220 greeting, and stopped with its whole tree.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { fillTemplate, type Rubric } from './rubric.ts';
import { killTree, listeningPorts, treeRssMiB } from './process-tree.ts';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Splits a command line into words, honouring single and double quotes (no shell is involved). */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | null = null;
  let started = false;
  for (const char of command) {
    if (quote) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started || current) words.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} in command: ${command}`);
  if (started || current) words.push(current);
  return words;
}

/** Reads the first reply line; resolves null on refusal, close or timeout. */
function greeting(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    let text = '';
    const finish = (value: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      done(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const line = /^(\d{3}) [^\n]*\n/m.exec(text);
      if (line) finish(line[0].trim());
    });
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
  });
}

export type StartProblem =
  | { kind: 'exited'; detail: string }
  | { kind: 'hangs'; detail: string }
  | { kind: 'not-listening'; detail: string }
  | { kind: 'wrong-port'; detail: string }
  | { kind: 'bad-greeting'; detail: string };

export interface RunningSubmission {
  host: string;
  port: number;
  root: string;
  pid: number;
  /** The process has exited (crashed or stopped). */
  exited(): boolean;
  exitDescription(): string;
  /** The highest RSS seen, MiB, and whether it passed the rubric's limit. */
  memory(): { peakMiB: number; exceeded: boolean };
  /** Does it still greet a new connection? */
  healthy(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<{ leftovers: number[] }>;
}

export interface StartOptions {
  submission: string;
  command: string;
  rubric: Rubric;
  logDir: string;
  /** Values for {user.name} etc. in files and the command. */
  values: Record<string, string>;
}

export async function startSubmission(options: StartOptions): Promise<{ running: RunningSubmission } | { problem: StartProblem; running: RunningSubmission }> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const root = await mkdtemp(join(tmpdir(), 'ftp-grade-root-'));
  const values = { ...options.values, port: String(port), host, root, submission: resolve(options.submission) };
  for (const file of options.rubric.files ?? []) {
    const path = join(root, fillTemplate(file.path, values));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, fillTemplate(file.content, values));
  }
  const words = splitCommand(fillTemplate(options.command, values));
  if (words.length === 0) throw new Error('empty start command');
  await mkdir(options.logDir, { recursive: true });
  const stdout: WriteStream = createWriteStream(join(options.logDir, 'server-stdout.log'));
  const stderr: WriteStream = createWriteStream(join(options.logDir, 'server-stderr.log'));
  const child: ResultPromise = execa(words[0] as string, words.slice(1), {
    cwd: resolve(options.submission),
    detached: true,
    reject: false,
    stdin: 'ignore',
    buffer: false,
    env: { PORT: String(port), FTP_ROOT: root },
    extendEnv: true,
    timeout: options.rubric.timeLimitSeconds * 1000 + 30_000,
  });
  child.stdout?.pipe(stdout);
  child.stderr?.pipe(stderr);
  let exitedWith: string | null = null;
  void child.then((result) => {
    exitedWith = result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`;
  });
  const pid = child.pid ?? -1;
  let peakMiB = 0;
  const sampler = setInterval(() => {
    void treeRssMiB(pid).then((rss) => {
      peakMiB = Math.max(peakMiB, rss);
      if (rss > options.rubric.memoryLimitMiB) void killTree(pid, 0);
    });
  }, 250);
  const running: RunningSubmission = {
    host,
    port,
    root,
    pid,
    exited: () => exitedWith !== null,
    exitDescription: () => exitedWith ?? 'running',
    memory: () => ({ peakMiB, exceeded: peakMiB > options.rubric.memoryLimitMiB }),
    healthy: async (timeoutMs = 3000) => (await greeting(host, port, timeoutMs))?.startsWith('220') ?? false,
    async stop() {
      clearInterval(sampler);
      const leftovers = pid > 0 ? await killTree(pid) : [];
      await child;
      stdout.end();
      stderr.end();
      await rm(root, { recursive: true, force: true }).catch(() => {});
      return { leftovers };
    },
  };
  if (pid <= 0) return { problem: { kind: 'exited', detail: `could not start "${words[0]}"` }, running };
  const deadline = Date.now() + options.rubric.greetingTimeoutSeconds * 1000;
  while (Date.now() < deadline) {
    if (exitedWith) return { problem: { kind: 'exited', detail: `the server exited at start (${exitedWith}) before greeting` }, running };
    const reply = await greeting(host, port, 1000);
    if (reply) {
      if (reply.startsWith('220')) return { running };
      return { problem: { kind: 'bad-greeting', detail: `the first reply was "${reply}", not a 220 greeting` }, running };
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  const ports = await listeningPorts(pid);
  if (ports.length > 0 && !ports.includes(port)) {
    return { problem: { kind: 'wrong-port', detail: `the server listens on port ${ports.join(', ')} instead of the port it was given (${port})` }, running };
  }
  if (ports.includes(port)) {
    return { problem: { kind: 'hangs', detail: `port ${port} accepts connections but no 220 greeting came within ${options.rubric.greetingTimeoutSeconds}s (the server hangs)` }, running };
  }
  if (exitedWith) return { problem: { kind: 'exited', detail: `the server exited at start (${exitedWith}) before greeting` }, running };
  return { problem: { kind: 'not-listening', detail: `nothing listened on port ${port} within ${options.rubric.greetingTimeoutSeconds}s (is the server using the {port} it is given?)` }, running };
}
