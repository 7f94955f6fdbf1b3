/**
 * One student's server as a process: started in a fresh root folder outside
 * the repo, on a free loopback port, waited on for its 220 greeting, and
 * stopped with everything it started. In the sandbox (sandbox/) the kernel
 * limits its memory and processes and the whole cgroup is killed at stop;
 * without it (--unsafe-no-sandbox) it is a process group watched by sampling.
 */
import { splitWords } from '../cli/split-words.ts';
import { createWriteStream, type WriteStream } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomInt } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { fillTemplate, type Rubric } from './rubric.ts';
import { killTree, listeningPorts, listeningPortsOf, treeRssMiB } from './process-tree.ts';
import { SubmissionCgroup } from './sandbox/cgroup.ts';
import { bwrapArgs, encodeArgs, INSIDE } from './sandbox/bwrap-args.ts';
import { systemEntries, throwAwayUid, type SandboxSupport } from './sandbox/support.ts';
import { StderrTail } from './stderr-tail.ts';

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
  | { kind: 'memory'; detail: string }
  | { kind: 'hangs'; detail: string }
  | { kind: 'not-listening'; detail: string }
  | { kind: 'wrong-port'; detail: string }
  | { kind: 'bad-greeting'; detail: string };

export interface MemoryUse {
  peakMiB: number;
  /** The kernel killed it for memory (sandbox), or a sample saw it over the limit (fallback). */
  exceeded: boolean;
}

export interface RunningSubmission {
  host: string;
  port: number;
  /** The root folder as the server sees it. */
  root: string;
  pid: number;
  /** The process has exited (crashed or stopped). */
  exited(): boolean;
  exitDescription(): string;
  memory(): Promise<MemoryUse>;
  /** The last lines the server wrote on stderr. */
  stderrTail(): string;
  /** Does it still greet a new connection? */
  healthy(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<{ leftovers: number[]; refusedForks: number }>;
}

export interface SandboxOptions {
  support: SandboxSupport;
}

export interface StartOptions {
  submission: string;
  command: string;
  rubric: Rubric;
  logDir: string;
  /** Values for {user.name} etc. in files and the command. */
  values: Record<string, string>;
  /** Absent only with --unsafe-no-sandbox. */
  sandbox?: SandboxOptions;
}

/** Writes its own pid into each cgroup.procs before it execs bwrap, so no child is ever born outside the group. */
const LAUNCHER = 'for procs in $CGROUP_PROCS; do echo $$ > "$procs" || exit 125; done; exec "$BWRAP" --args 3 -- "$@"';

interface Spawned {
  pid: number;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Resolves with how it ended: "exit code 3", "killed by SIGKILL". */
  ended: Promise<string>;
  /** Members of the server's tree right now. */
  members(): Promise<number[]>;
  memory(): Promise<MemoryUse>;
  /** Kills everything; returns what survived. */
  kill(): Promise<{ leftovers: number[]; refusedForks: number }>;
}

function spawnUnsafe(words: string[], cwd: string, env: Record<string, string>, rubric: Rubric): Spawned {
  const child = execa(words[0] as string, words.slice(1), {
    cwd,
    detached: true,
    reject: false,
    stdin: 'ignore',
    buffer: false,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, LANG: process.env.LANG ?? 'C.UTF-8', ...env },
    extendEnv: false,
    timeout: rubric.timeLimitSeconds * 1000 + 30_000,
  });
  const pid = child.pid ?? -1;
  let peakMiB = 0;
  const sampler = setInterval(() => {
    void treeRssMiB(pid).then((rss) => {
      peakMiB = Math.max(peakMiB, rss);
      if (rss > rubric.memoryLimitMiB) void killTree(pid, 0);
    });
  }, 250);
  return {
    pid,
    stdout: child.stdout,
    stderr: child.stderr,
    ended: child.then((result) => (result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`)),
    members: async () => [pid],
    memory: async () => ({ peakMiB, exceeded: peakMiB > rubric.memoryLimitMiB }),
    async kill() {
      clearInterval(sampler);
      return { leftovers: pid > 0 ? await killTree(pid) : [], refusedForks: 0 };
    },
  };
}

async function spawnSandboxed(words: string[], env: Record<string, string>, rubric: Rubric, sandbox: SandboxOptions, paths: { submission: string; root: string; shares: { from: string; name: string }[] }, uid: number): Promise<Spawned> {
  const group = await SubmissionCgroup.create(sandbox.support.layout, `ftp-check-${process.pid}-${randomInt(1e9)}`, { memoryBytes: rubric.memoryLimitMiB * 1024 * 1024, maxProcesses: rubric.maxProcesses });
  const args = bwrapArgs({ submission: paths.submission, root: paths.root, shares: paths.shares, system: await systemEntries(), uid, env, command: words });
  const child = spawn('/bin/sh', ['-c', LAUNCHER, 'launcher', ...args.command], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { BWRAP: sandbox.support.bwrap, CGROUP_PROCS: group.procsFiles().join(' ') } });
  const ended = new Promise<string>((resolveEnd) => {
    child.once('error', (error) => resolveEnd(`could not start the sandbox (${error.message})`));
    child.once('close', (code, signal) => resolveEnd(signal ? `killed by ${signal}` : `exit code ${code}`));
  });
  const argsPipe = child.stdio[3] as NodeJS.WritableStream | null;
  argsPipe?.on('error', () => {});
  argsPipe?.end(encodeArgs(args.options));
  // The time budget is the grader's to enforce: past it the group goes, whatever the server does.
  const budget = setTimeout(() => void group.killAll(), (rubric.timeLimitSeconds + 30) * 1000);
  void ended.then(() => clearTimeout(budget));
  return {
    pid: child.pid ?? -1,
    stdout: child.stdout,
    stderr: child.stderr,
    ended,
    members: () => group.members(),
    memory: async () => ({ peakMiB: await group.peakMiB(), exceeded: (await group.oomKills()) > 0 }),
    async kill() {
      // SIGTERM first so a well-behaved server can flush its logs; then the group goes, whatever it did (setsid, double fork).
      for (const pid of await group.members()) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // gone already
        }
      }
      const deadline = Date.now() + 1500;
      while (Date.now() < deadline && (await group.members()).length > 0) await new Promise((resolveWait) => setTimeout(resolveWait, 100));
      const refusedForks = await group.refusedForks();
      return { leftovers: await group.remove(), refusedForks };
    },
  };
}

export async function startSubmission(options: StartOptions): Promise<{ running: RunningSubmission } | { problem: StartProblem; running: RunningSubmission }> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const root = await mkdtemp(join(tmpdir(), 'ftp-grade-root-'));
  const sandbox = options.sandbox;
  // In the sandbox the server gets its own copy of its folder (writable, owned by its uid): it never sees the original's neighbours.
  const copy = sandbox ? await mkdtemp(join(tmpdir(), 'ftp-grade-submission-')) : null;
  const uid = throwAwayUid();
  // The rubric's shared folders: read-only under /opt/share in the sandbox, where they are without it.
  const shares = Object.entries(options.rubric.share ?? {}).map(([name, from]) => ({ name, from }));
  const seen = sandbox
    ? { root: INSIDE.root, submission: INSIDE.submission, ...Object.fromEntries(shares.map((share) => [`share.${share.name}`, `${INSIDE.shares}/${share.name}`])) }
    : { root, submission: resolve(options.submission), ...Object.fromEntries(shares.map((share) => [`share.${share.name}`, share.from])) };
  const values = { ...options.values, port: String(port), host, ...seen };
  for (const file of options.rubric.files ?? []) {
    const path = join(root, fillTemplate(file.path, values));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, fillTemplate(file.content, values));
  }
  const words = splitWords(fillTemplate(options.command, values));
  if (words.length === 0) throw new Error('empty start command');
  await mkdir(options.logDir, { recursive: true });
  const env = { PORT: String(port), FTP_ROOT: values.root as string };
  let spawned: Spawned;
  if (sandbox && copy) {
    await cp(resolve(options.submission), copy, { recursive: true, verbatimSymlinks: true });
    await execa('chown', ['-R', '--no-dereference', `${uid}:${uid}`, copy, root]);
    spawned = await spawnSandboxed(words, { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: INSIDE.home, LANG: 'C.UTF-8', ...env }, options.rubric, sandbox, { submission: copy, root, shares }, uid);
  } else {
    spawned = spawnUnsafe(words, resolve(options.submission), env, options.rubric);
  }
  const stdout: WriteStream = createWriteStream(join(options.logDir, 'server-stdout.log'));
  const stderr: WriteStream = createWriteStream(join(options.logDir, 'server-stderr.log'));
  const tail = new StderrTail();
  spawned.stdout?.pipe(stdout);
  spawned.stderr?.pipe(stderr);
  spawned.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
  let exitedWith: string | null = null;
  const settled = spawned.ended.then((how) => {
    exitedWith = how;
  });
  const pid = spawned.pid;
  const running: RunningSubmission = {
    host,
    port,
    root: values.root as string,
    pid,
    exited: () => exitedWith !== null,
    exitDescription: () => exitedWith ?? 'running',
    memory: () => spawned.memory(),
    stderrTail: () => tail.text(),
    healthy: async (timeoutMs = 3000) => (await greeting(host, port, timeoutMs))?.startsWith('220') ?? false,
    async stop() {
      const outcome = await spawned.kill();
      await settled;
      stdout.end();
      stderr.end();
      await rm(root, { recursive: true, force: true }).catch(() => {});
      if (copy) await rm(copy, { recursive: true, force: true }).catch(() => {});
      return outcome;
    },
  };
  const exitedProblem = async (): Promise<StartProblem> => {
    await settled;
    if ((await spawned.memory()).exceeded) return { kind: 'memory', detail: `the server was killed at start for using more than its ${options.rubric.memoryLimitMiB} MiB memory limit` };
    return { kind: 'exited', detail: `the server exited at start (${exitedWith}) before greeting` };
  };
  if (pid <= 0) return { problem: { kind: 'exited', detail: `could not start "${words[0]}"` }, running };
  const deadline = Date.now() + options.rubric.greetingTimeoutSeconds * 1000;
  while (Date.now() < deadline) {
    if (exitedWith) return { problem: await exitedProblem(), running };
    const reply = await greeting(host, port, 1000);
    if (reply) {
      if (reply.startsWith('220')) return { running };
      return { problem: { kind: 'bad-greeting', detail: `the first reply was "${reply}", not a 220 greeting` }, running };
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  const ports = sandbox ? await listeningPortsOf(await spawned.members()) : await listeningPorts(pid);
  if (ports.length > 0 && !ports.includes(port)) {
    return { problem: { kind: 'wrong-port', detail: `the server listens on port ${ports.join(', ')} instead of the port it was given (${port})` }, running };
  }
  if (ports.includes(port)) {
    return { problem: { kind: 'hangs', detail: `port ${port} accepts connections but no 220 greeting came within ${options.rubric.greetingTimeoutSeconds}s (the server hangs)` }, running };
  }
  if (exitedWith) return { problem: await exitedProblem(), running };
  return { problem: { kind: 'not-listening', detail: `nothing listened on port ${port} within ${options.rubric.greetingTimeoutSeconds}s (is the server using the {port} it is given?)` }, running };
}
