/**
 * `npm run bench`: ftp-ref side by side with every peer server the repo's peer
 * script installed, in one run, with the same files and the same clients:
 *
 *   RETR  MB/s of one big download (curl)          BENCH_RETR_MB (default 1024)
 *   STOR  MB/s of one big upload (curl)            BENCH_STOR_MB (default 256)
 *   sessions/s and p99 of a 16-client session loop  BENCH_SECONDS (default 10, in all), BENCH_CLIENTS (16)
 *         (connect, login, PWD, TYPE I, EPSV+LIST of 100 files, EPSV+RETR 4 KiB, QUIT)
 *   peak RSS of the server's process tree during the session loop
 *
 * Every server runs for the whole benchmark; three rounds each measure every
 * server in turn (one RETR, one STOR, a third of the session loop), and the
 * figures are medians over the rounds (sessions/s over all of them).
 *   ftp-ref only: BENCH_IDLE (default 10000) idle logged-in connections, RSS, all answering NOOP
 *
 * BENCH_BASELINE=<git revision>[,<revision>...] adds ftp-ref as it was at each revision, built
 * from `git archive` into the work folder, measured in the same rounds as `ftp-ref@<revision>`,
 * so that what a change costs is read as a ratio of one run (e.g. the jail's resolve-and-act
 * change: BENCH_BASELINE=2ba14aa^,2ba14aa BENCH_SERVERS=ftp-ref BENCH_IDLE=0 npm run bench).
 *
 * Prints a table of ratios to the best peer per figure and writes reports/bench.json.
 * A benchmark, never a test: nothing here asserts a speed.
 */
import { mkdtemp, mkdir, writeFile, truncate, rm, symlink, open as openFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { execa, type ResultPromise } from 'execa';
import { PEER_NAMES, PEER_ACCOUNTS, peerAvailability, startPeer, type PeerName } from '../harness/src/peers/peers.ts';
import { runSessionLoop, type SessionLoopResult } from './bench/session-loop.ts';
import { samplePeak } from './bench/process-memory.ts';
import { treeRssMiB } from '../harness/src/grade/process-tree.ts';
import { holdIdleConnections } from './bench/idle-connections.ts';

const RETR_MB = Number(process.env.BENCH_RETR_MB ?? 1024);
const STOR_MB = Number(process.env.BENCH_STOR_MB ?? 256);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const IDLE = Number(process.env.BENCH_IDLE ?? 10000);
const RUNS = 3;
const ONLY = process.env.BENCH_SERVERS?.split(',');
const BASELINES = process.env.BENCH_BASELINE?.split(',').filter(Boolean) ?? [];

interface Running {
  name: string;
  host: string;
  port: number;
  pid: number;
  user: string;
  password: string;
  home: string;
  stop(): Promise<void>;
}

interface Figures {
  server: string;
  retrMBps: number;
  storMBps: number;
  sessionsPerSecond: number;
  p99Ms: number;
  peakRssMiB: number;
  sessionErrors: number;
  firstError?: string;
  idle?: { connections: number; answered: number; rssMiB: number };
}

async function seedHome(home: string, sourceDir: string): Promise<void> {
  await mkdir(join(home, 'list100'), { recursive: true });
  for (let i = 0; i < 100; i++) await writeFile(join(home, 'list100', `file-${String(i).padStart(3, '0')}.txt`), `file ${i}\n`.repeat(64));
  await writeFile(join(home, 'small.bin'), Buffer.alloc(4096, 7));
  const big = join(home, 'big.bin');
  await writeFile(big, '');
  await truncate(big, RETR_MB * 1024 * 1024);
  void sourceDir;
}

/** The sources of ftp-ref at `revision`, unpacked beside the work files, sharing this checkout's packages. */
async function checkoutRevision(work: string, revision: string): Promise<string> {
  const root = join(work, `ftp-ref-at-${revision.replace(/[^\w.-]/g, '_')}`);
  await mkdir(root, { recursive: true });
  const archive = await execa('git', ['archive', '--format=tar', revision], { encoding: 'buffer' });
  await execa('tar', ['-x', '-C', root], { input: archive.stdout });
  await symlink(resolve('node_modules'), join(root, 'node_modules'));
  return root;
}

async function startFtpRef(work: string, name = 'ftp-ref', root = '.'): Promise<Running> {
  const data = join(work, `${name}-data`);
  const password = 'bench-password-1';
  const bundle = join(root, 'dist', 'ftp-ref.mjs');
  // The bundle a user gets from `npm ci`, built from the sources as they are (or were).
  await execa(process.execPath, ['scripts/build-ftp-ref.mjs'], { cwd: root });
  await execa(process.execPath, [bundle, 'user', 'add', 'bench', '--password', password, '--data', data]);
  const child: ResultPromise = execa(
    process.execPath,
    [bundle, '--data', data, '--port', '0', '--log-level', 'warn', '--max-connections', String(IDLE + 100), '--max-per-user', String(IDLE + 100), '--max-per-address', String(IDLE + 100), '--idle-timeout', '600'],
    { reject: false, buffer: false },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ftp-ref did not start')), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening on [\d.]+:(\d+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  const home = join(data, 'storage', 'bench');
  await mkdir(home, { recursive: true });
  return {
    name,
    host: '127.0.0.1',
    port,
    pid: child.pid as number,
    user: 'bench',
    password,
    home,
    async stop() {
      child.kill('SIGTERM');
      await child;
    },
  };
}

async function startPeerServer(name: PeerName): Promise<Running> {
  const peer = await startPeer(name);
  const account = PEER_ACCOUNTS.user;
  return { name, host: peer.host, port: peer.port, pid: peer.pid, user: account.user, password: account.password, home: join(peer.root, 'home', account.user), stop: () => peer.stop() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function curlSpeed(args: string[], field: 'speed_download' | 'speed_upload'): Promise<number> {
  const result = await execa('curl', ['-s', '--fail', '--ftp-pasv', '-w', `%{${field}}`, ...args], { reject: false, timeout: 300_000 });
  if (result.exitCode !== 0) throw new Error(`curl ${args.join(' ')} failed (${result.exitCode}): ${result.stderr}`);
  return Number(result.stdout) / 1e6;
}

/** What the rounds measured for one server. */
interface Samples {
  retr: number[];
  stor: number[];
  loops: SessionLoopResult[];
  peaksMiB: number[];
}

/** One round for one server: one RETR, one STOR, one session loop of SECONDS / RUNS. */
async function measureRound(server: Running, uploadSource: string, run: number, samples: Samples): Promise<void> {
  const url = `ftp://${server.user}:${server.password}@${server.host}:${server.port}`;
  samples.retr.push(await curlSpeed(['-o', '/dev/null', `${url}/big.bin`], 'speed_download'));
  samples.stor.push(await curlSpeed(['-T', uploadSource, `${url}/upload-${run}.bin`], 'speed_upload'));
  await rm(join(server.home, `upload-${run}.bin`), { force: true });
  const sampler = samplePeak(server.pid);
  samples.loops.push(await runSessionLoop({ host: server.host, port: server.port, user: server.user, password: server.password, clients: CLIENTS, durationMs: (SECONDS * 1000) / RUNS, listPath: 'list100', retrPath: 'small.bin' }));
  samples.peaksMiB.push(await sampler.stop());
}

/** Medians over the rounds; sessions/s over all of them; the peak RSS of any round. */
function summarise(server: string, samples: Samples): Figures {
  const sessions = samples.loops.reduce((sum, loop) => sum + loop.sessions, 0);
  const seconds = samples.loops.reduce((sum, loop) => sum + loop.seconds, 0);
  return {
    server,
    retrMBps: median(samples.retr),
    storMBps: median(samples.stor),
    sessionsPerSecond: sessions / seconds,
    p99Ms: median(samples.loops.map((loop) => loop.p99Ms)),
    peakRssMiB: Math.max(...samples.peaksMiB),
    sessionErrors: samples.loops.reduce((sum, loop) => sum + loop.errors, 0),
    firstError: samples.loops.find((loop) => loop.firstError)?.firstError,
  };
}

function format(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** ftp-ref as it is now ('ftp-ref') or at a baseline revision ('ftp-ref@<revision>'); every other name is a peer. */
function isFtpRef(name: string): boolean {
  return name === 'ftp-ref' || name.startsWith('ftp-ref@');
}

function printTable(all: Figures[]): Record<string, number> {
  const ref = all.find((f) => f.server === 'ftp-ref');
  const baselines = all.filter((f) => isFtpRef(f.server) && f !== ref);
  const peers = all.filter((f) => !isFtpRef(f.server));
  const rows = [['server', 'RETR MB/s', 'STOR MB/s', 'sessions/s', 'p99 ms', 'peak RSS MiB', 'errors']];
  for (const f of all) rows.push([f.server, format(f.retrMBps), format(f.storMBps), format(f.sessionsPerSecond), format(f.p99Ms, 1), format(f.peakRssMiB, 1), String(f.sessionErrors)]);
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
  const ratios: Record<string, number> = {};
  if (ref && peers.length > 0) {
    const best = (pick: (f: Figures) => number, higherIsBetter: boolean) => {
      const values = peers.map(pick).filter((v) => v > 0);
      return higherIsBetter ? Math.max(...values) : Math.min(...values);
    };
    ratios.retr = ref.retrMBps / best((f) => f.retrMBps, true);
    ratios.stor = ref.storMBps / best((f) => f.storMBps, true);
    ratios.sessions = ref.sessionsPerSecond / best((f) => f.sessionsPerSecond, true);
    ratios.p99 = ref.p99Ms / best((f) => f.p99Ms, false);
    ratios.rss = ref.peakRssMiB / best((f) => f.peakRssMiB, false);
    console.log('\nftp-ref / best peer (higher is better for RETR, STOR, sessions/s; lower for p99 and RSS):');
    for (const [name, ratio] of Object.entries(ratios)) console.log(`  ${name.padEnd(9)} ${format(ratio, 2)}`);
  }
  if (ref) for (const baseline of baselines) {
    console.log(`\nftp-ref / ${baseline.server} (what the changes since cost or gained; same reading as above):`);
    for (const [name, ratio] of Object.entries({ retr: ref.retrMBps / baseline.retrMBps, stor: ref.storMBps / baseline.storMBps, sessions: ref.sessionsPerSecond / baseline.sessionsPerSecond, p99: ref.p99Ms / baseline.p99Ms, rss: ref.peakRssMiB / baseline.peakRssMiB })) {
      ratios[`${name}Vs${baseline.server.slice('ftp-ref'.length)}`] = ratio;
      console.log(`  ${name.padEnd(9)} ${format(ratio, 2)}`);
    }
  }
  if (ref?.idle) console.log(`\nftp-ref idle: ${ref.idle.connections} logged-in connections, ${ref.idle.answered} answered NOOP, RSS ${format(ref.idle.rssMiB, 1)} MiB`);
  return ratios;
}

const work = await mkdtemp(join(tmpdir(), 'ftp-bench-'));
const uploadSource = join(work, 'upload-source.bin');
await (await openFile(uploadSource, 'w')).close();
await truncate(uploadSource, STOR_MB * 1024 * 1024);
const results: Figures[] = [];
const baselineNames = new Map(BASELINES.map((revision) => [`ftp-ref@${revision}`, revision]));
const candidates: string[] = [...baselineNames.keys(), 'ftp-ref', ...PEER_NAMES].filter((name) => !ONLY || ONLY.includes(name) || baselineNames.has(name));
const servers: Running[] = [];
const samples = new Map<string, Samples>();
try {
  for (const name of candidates) {
    if (!isFtpRef(name)) {
      const availability = peerAvailability(name as PeerName);
      if (!availability.available) {
        console.log(`${name}: skipped (${availability.reason})`);
        continue;
      }
    }
    const server =
      baselineNames.has(name) ? await startFtpRef(work, name, await checkoutRevision(work, baselineNames.get(name) as string))
      : name === 'ftp-ref' ? await startFtpRef(work)
      : await startPeerServer(name as PeerName);
    servers.push(server);
    await seedHome(server.home, uploadSource);
    samples.set(name, { retr: [], stor: [], loops: [], peaksMiB: [] });
  }
  // Rounds go through every server in turn, so that a busy moment on a shared
  // machine touches one round of each, not every run of one server.
  for (let run = 0; run < RUNS; run++) {
    for (const server of [...servers]) {
      process.stdout.write(`round ${run + 1}/${RUNS}: ${server.name}\n`);
      try {
        await measureRound(server, uploadSource, run, samples.get(server.name) as Samples);
      } catch (error) {
        console.log(`${server.name}: failed: ${(error as Error).message}`);
        servers.splice(servers.indexOf(server), 1);
        samples.delete(server.name);
        await server.stop();
      }
    }
  }
  for (const [name, measured] of samples) results.push(summarise(name, measured));
  const ref = servers.find((server) => server.name === 'ftp-ref');
  const refFigures = results.find((figures) => figures.server === 'ftp-ref');
  if (ref && refFigures && IDLE > 0) {
    refFigures.idle = await holdIdleConnections({ host: ref.host, port: ref.port, user: ref.user, password: ref.password, count: IDLE, measureRss: () => treeRssMiB(ref.pid) });
  }
  console.log('');
  const ratios = printTable(results);
  await mkdir('reports', { recursive: true });
  await writeFile(join('reports', 'bench.json'), JSON.stringify({ when: new Date().toISOString(), settings: { RETR_MB, STOR_MB, SECONDS, CLIENTS, IDLE, BASELINES }, results, ratios }, null, 2));
  console.log('\nwritten reports/bench.json');
} finally {
  for (const server of servers) await server.stop().catch(() => {});
  await rm(work, { recursive: true, force: true });
}
