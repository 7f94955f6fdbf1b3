// Real FTP servers that nobody here wrote ("peers"), started on demand for interop
// tests: each in the foreground, on 127.0.0.1, on a free port, in a fresh temp root.
// scripts/install-peers.sh installs them; docs/peers.md describes them.
//
//   const peer = await startPeer('vsftpd');
//   try { ...connect to peer.host:peer.port as peer.accounts.user... } finally { await peer.stop(); }
import { rmSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { execa, type Result } from 'execa';
import { PEER_ACCOUNTS, type PeerAccounts } from './accounts.ts';
import { createPeerLayout, type PeerLayout } from './layout.ts';
import { freePort, freePortRange } from './ports.ts';
import { signalProcessGroup, waitForProcessGroupGone } from './process-group.ts';
import { missingForPeer, RECIPES, type PeerName } from './recipes.ts';

export type { PeerAccount, PeerAccounts } from './accounts.ts';
export { PEER_ACCOUNTS, PUBLIC_FILE } from './accounts.ts';
export { PEER_NAMES, type PeerName } from './recipes.ts';

export interface RunningPeer {
  name: PeerName;
  host: string;
  port: number;
  /** The temp root: public/, home/<user>/, logs/ ... (see layout.ts). Removed by stop(). */
  root: string;
  /** PID of the server, also the id of its process group. */
  pid: number;
  passivePorts: { min: number; max: number };
  accounts: PeerAccounts;
  /** Ends the server's whole process tree and removes the temp root; safe to call twice. */
  stop(): Promise<void>;
  /** The server's logs and captured stdout/stderr (a snapshot once stopped). */
  logs(): Promise<string>;
  /** How the server ended if it exited on its own (a crash, say) before stop(); undefined while it runs or once stopped by stop(). */
  exitedEarly(): string | undefined;
}

export interface StartPeerOptions {
  /** Control port; a free one by default. */
  port?: number;
  /** How long to wait for the 220 greeting (default 15 s). */
  startTimeoutMs?: number;
}

/** The peer is not installed here; `reason` says what is missing and how to fix it. */
export class PeerUnavailableError extends Error {
  override name = 'PeerUnavailableError';
}

/** The peer was installed but did not come up; the message carries its stderr and logs. */
export class PeerStartError extends Error {
  override name = 'PeerStartError';
}

const HOST = '127.0.0.1';
// Wide enough for ~100 concurrent transfers with ports still in TIME_WAIT (stress found 32 ran out).
const PASSIVE_RANGE_SIZE = 256;
const DEFAULT_START_TIMEOUT_MS = 15_000;
const GREETING_ATTEMPT_TIMEOUT_MS = 2_000;
const STOP_GRACE_MS = 3_000;
const LOG_EXCERPT_CHARS = 4_000;

export function peerAvailability(name: PeerName): { available: true } | { available: false; reason: string } {
  const missing = missingForPeer(name);
  return missing.length === 0 ? { available: true } : { available: false, reason: `${name} unavailable: ${missing.join('; ')}` };
}

export async function startPeer(name: PeerName, options: StartPeerOptions = {}): Promise<RunningPeer> {
  const availability = peerAvailability(name);
  if (!availability.available) throw new PeerUnavailableError(availability.reason);
  const port = options.port ?? (await freePort(HOST));
  const passivePorts = await freePortRange(HOST, PASSIVE_RANGE_SIZE);
  const layout = await createPeerLayout(name);

  let plan;
  try {
    plan = await RECIPES[name].prepare({ host: HOST, port, pasvMin: passivePorts.min, pasvMax: passivePorts.max, layout });
  } catch (error) {
    await rm(layout.root, { recursive: true, force: true });
    throw new PeerStartError(`${name}: preparing its config failed: ${errorText(error)}`, { cause: error });
  }

  // detached: the server leads its own process group, so stop() reaches its whole tree.
  const subprocess = execa(plan.file, plan.args, {
    cwd: plan.cwd ?? layout.root,
    detached: true,
    cleanup: false,
    reject: false,
    stdin: 'ignore',
    stdout: { file: join(layout.logDir, 'stdout.log') },
    stderr: { file: join(layout.logDir, 'stderr.log') },
  });
  let exit: Result | undefined;
  const exited = subprocess.then((result) => {
    exit = result;
    return result;
  });
  const pid = subprocess.pid;
  if (pid === undefined) {
    const result = await exited;
    await rm(layout.root, { recursive: true, force: true });
    throw new PeerStartError(`${name}: could not start ${plan.file}: ${result.message}`);
  }
  trackForExit(pid, layout.root);

  const stopTree = () => stopProcessTree(pid, exited);
  try {
    await waitForGreeting(HOST, port, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, exited);
  } catch (error) {
    const wasRunning = exit === undefined;
    await stopTree();
    const logs = await collectLogs(layout);
    untrack(pid);
    await rm(layout.root, { recursive: true, force: true });
    throw new PeerStartError(
      `${name} did not greet on ${HOST}:${port}: ${errorText(error)}${wasRunning ? ' (it was still running: stopped it)' : ''}.\n` +
        `Command: ${plan.file} ${plan.args.join(' ')}\n${excerpt(logs)}`,
      { cause: error },
    );
  }

  let stopping: Promise<void> | undefined;
  let logSnapshot: string | undefined;
  let exitBeforeStop: string | undefined;
  return {
    name,
    host: HOST,
    port,
    root: layout.root,
    pid,
    passivePorts,
    accounts: PEER_ACCOUNTS,
    stop() {
      stopping ??= (async () => {
        if (exit !== undefined) exitBeforeStop = describeExit(exit);
        await stopTree();
        logSnapshot = await collectLogs(layout);
        untrack(pid);
        await rm(layout.root, { recursive: true, force: true });
      })();
      return stopping;
    },
    async logs() {
      return logSnapshot ?? collectLogs(layout);
    },
    exitedEarly() {
      return exitBeforeStop ?? (stopping === undefined && exit !== undefined ? describeExit(exit) : undefined);
    },
  };
}

/** SIGTERM to the group, SIGKILL after a grace period, then sweep children that outlived the leader. */
async function stopProcessTree(pid: number, exited: Promise<Result>): Promise<void> {
  signalProcessGroup(pid, 'SIGTERM');
  let graceTimer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<false>((resolve) => (graceTimer = setTimeout(() => resolve(false), STOP_GRACE_MS)));
  const exitedInTime = await Promise.race([exited.then(() => true), graceOver]);
  clearTimeout(graceTimer); // a pending timer would keep the test process alive
  if (!exitedInTime) signalProcessGroup(pid, 'SIGKILL');
  await exited;
  if (!(await waitForProcessGroupGone(pid, 1_000))) {
    signalProcessGroup(pid, 'SIGKILL');
    await waitForProcessGroupGone(pid, 2_000);
  }
}

/** Connects until the server sends its final "220 " greeting line; throws on another reply or on exit. */
async function waitForGreeting(host: string, port: number, timeoutMs: number, exited: Promise<Result>): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const exitFailure = exited.then((result) => new Error(`it exited before greeting (${describeExit(result)})`));
  let lastError: unknown = new Error('no attempt made');
  while (Date.now() < deadline) {
    const attempt = readGreeting(host, port, Math.min(GREETING_ATTEMPT_TIMEOUT_MS, deadline - Date.now()));
    attempt.catch(() => undefined); // may lose the race below; its socket closes itself
    const outcome = await Promise.race([attempt.then((greeting) => ({ greeting })), exitFailure.then((error) => ({ error }))]).catch(
      (error: unknown) => ({ error }),
    );
    if ('greeting' in outcome) return outcome.greeting;
    lastError = outcome.error;
    if (outcome.error instanceof UnexpectedReplyError || (await isSettled(exited))) throw outcome.error;
    await sleep(100);
  }
  throw new Error(`no 220 greeting within ${timeoutMs} ms; last attempt: ${errorText(lastError)}`);
}

async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol('pending');
  return (await Promise.race([promise, Promise.resolve(pending)])) !== pending;
}

class UnexpectedReplyError extends Error {}

function readGreeting(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let text = '';
    const finish = (error: Error | undefined) => {
      socket.removeAllListeners('data');
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        socket.end('QUIT\r\n');
        resolve(text);
      }
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no greeting within ${timeoutMs} ms`)));
    socket.on('error', (error) => finish(error));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.length > 8192) return finish(new UnexpectedReplyError('greeting longer than 8 KiB'));
      // A reply ends with a line "ddd " (RFC 959 section 4.2); "ddd-" lines continue it.
      const finalLine = text.split('\r\n').find((line) => /^\d{3} /.test(line));
      if (finalLine === undefined) return;
      if (finalLine.startsWith('220 ')) finish(undefined);
      else finish(new UnexpectedReplyError(`expected a 220 greeting, got: ${finalLine}`));
    });
  });
}

async function collectLogs(layout: PeerLayout): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(layout.logDir)).sort();
  } catch {
    return '(no logs: the temp root is gone)';
  }
  const parts: string[] = [];
  for (const name of names) {
    const content = await readFile(join(layout.logDir, name), 'utf8').catch((error: unknown) => `(unreadable: ${errorText(error)})`);
    parts.push(`==> ${name} <==\n${content}`);
  }
  return parts.join('\n');
}

// --- a test process that dies must not leave root-run servers behind -------------
const tracked = new Map<number, string>();
let hooksInstalled = false;

function trackForExit(pid: number, root: string): void {
  tracked.set(pid, root);
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', killTrackedSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killTrackedSync();
      // With no other listener left, re-raise so the default action ends the process
      // as it would have without us; otherwise the program's own handler decides.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

function untrack(pid: number): void {
  tracked.delete(pid);
}

function killTrackedSync(): void {
  for (const [pid, root] of tracked) {
    signalProcessGroup(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
  tracked.clear();
}

// --- small helpers ---------------------------------------------------------------
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeExit(result: Result): string {
  if (result.signal) return `signal ${result.signal}`;
  return `exit code ${String(result.exitCode)}`;
}

function excerpt(logs: string): string {
  return logs.length <= LOG_EXCERPT_CHARS ? logs : `...${logs.slice(-LOG_EXCERPT_CHARS)}`;
}
