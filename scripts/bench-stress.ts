/**
 * Is ftp-check stress the bottleneck? Measured in one run, on loopback, against
 * real peer servers (scripts/install-peers.sh):
 *
 *  1. throughput: `curl -o /dev/null` of one big file from vsftpd, against
 *     `ftp-check stress --scenario download --clients 1` of the same file (every
 *     byte digest-checked). Target: stress >= 0.9 x curl.
 *  2. session rate: a plain hand-written socket loop (connect, greeting, USER,
 *     PASS, QUIT, no parsing beyond the reply code) against
 *     `ftp-check stress --scenario login`, with 1 and with 8 sessions at once,
 *     against vsftpd and pure-ftpd. Target: stress >= 1.0 x the plain loop.
 *
 *   npm run bench:stress -- [--size 512MiB] [--seconds 5] [--rounds 3] [--only download|sessions] [--json reports/bench-stress.json]
 *
 * Standalone on purpose (scripts/bench.ts, if present, may call it). Every loop is
 * bounded by a time limit and a count; servers are stopped at the end.
 */
import { createWriteStream } from 'node:fs';
import { chown, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { peerAvailability, startPeer, type PeerName, type RunningPeer } from '../harness/src/peers/peers.ts';
import { createDigester } from '../harness/src/stress/integrity.ts';
import { parseSize } from '../harness/src/stress/options.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? (args[at + 1] as string) : fallback;
};
const SIZE = parseSize(flag('size', '512MiB'), 'size');
const SECONDS = Number(flag('seconds', '5'));
const JSON_OUT = flag('json', '');
/** `download`, `sessions`, or both (default). */
const ONLY = flag('only', '');
const DOWNLOAD_RUNS = 5;
/** Session loops alternate plain / stress this many times; medians are compared (a shared 2-core box is noisy). */
const ROUNDS = Number(flag('rounds', '3'));
const MAX_SESSIONS_PER_LOOP = 1_000_000;
const REPLY_TIMEOUT_MS = 10_000;

const log = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

interface Ratio {
  what: string;
  peer: string;
  baseline: number;
  stress: number;
  unit: string;
  ratio: number;
  goal: number;
}
const ratios: Ratio[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function ftpCheckStress(peer: RunningPeer, extra: string[]): Promise<Record<string, unknown>> {
  const dir = join(tmpdir(), `bench-stress-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const profile = join(dir, `${peer.name}.yaml`);
  const accounts = join(dir, `${peer.name}.accounts`);
  const out = join(dir, `${peer.name}-${Date.now()}.json`);
  const { user, user2 } = peer.accounts;
  await writeFile(profile, stringify({ target: `${peer.host}:${peer.port}`, name: peer.name, accounts: { user: { name: user.user, password: user.password } } }));
  await writeFile(accounts, `${user.user}:${user.password}\n${user2.user}:${user2.password}\n`);
  const result = await execa(process.execPath, ['bin/ftp-check.js', 'stress', '--profile', profile, '--accounts', accounts, '--json', out, ...extra], {
    reject: false,
    timeout: (SECONDS + 120) * 1000,
    env: { NO_COLOR: '1' },
  });
  if (result.exitCode !== 0) throw new Error(`ftp-check stress ${extra.join(' ')} exited ${result.exitCode}:\n${result.stdout}\n${result.stderr}`);
  const json = JSON.parse(await (await import('node:fs/promises')).readFile(out, 'utf8')) as { summary: Record<string, unknown> };
  return json.summary;
}

// ---- 1. one big download: curl against ftp-check stress ----

async function makeBigFile(path: string, owner: { uid: number; gid: number } | null): Promise<string> {
  const digester = createDigester('crc32');
  const block = randomBytes(1024 * 1024);
  await mkdir(dirname(path), { recursive: true });
  const stream = createWriteStream(path);
  for (let written = 0; written < SIZE; written += block.length) {
    const chunk = block.subarray(0, Math.min(block.length, SIZE - written));
    digester.update(chunk);
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  if (owner) await chown(path, owner.uid, owner.gid).catch(() => {});
  return digester.digest().hex;
}

async function curlSeconds(url: string): Promise<number> {
  const result = await execa('curl', ['-s', '-S', '-o', '/dev/null', '-w', '%{time_total} %{size_download}', '--max-time', '120', url], { reject: false, timeout: 150_000 });
  const [time, size] = result.stdout.trim().split(' ').map(Number);
  if (result.exitCode !== 0 || size !== SIZE) throw new Error(`curl failed (exit ${result.exitCode}, ${size} bytes): ${result.stderr}`);
  return time as number;
}

async function throughputBench(): Promise<void> {
  const peer = await startPeer('vsftpd');
  try {
    const { user } = peer.accounts;
    const home = join(peer.root, 'home', user.user);
    const info = await stat(home);
    const crc = await makeBigFile(join(home, 'big.bin'), { uid: info.uid, gid: info.gid });
    const url = `ftp://${user.user}:${user.password}@${peer.host}:${peer.port}/big.bin`;
    await curlSeconds(url); // warm the page cache for both
    const curlRuns: number[] = [];
    for (let i = 0; i < DOWNLOAD_RUNS; i++) curlRuns.push(SIZE / (await curlSeconds(url)) / 1e6);
    const summary = await ftpCheckStress(peer, ['--scenario', 'download', '--remote-file', 'big.bin', '--remote-digest', `crc32:${crc}`, '--clients', '1', '--amount', String(DOWNLOAD_RUNS), '--timeout', '60']);
    const p50 = (summary.latencyMs as Record<string, Record<string, number>>).RETR?.p50;
    if (!p50) throw new Error('ftp-check stress recorded no RETR');
    const stressMBps = SIZE / (p50 / 1000) / 1e6;
    const curlMBps = median(curlRuns);
    log(`download ${(SIZE / 1024 ** 2).toFixed(0)} MiB from vsftpd: curl ${curlMBps.toFixed(0)} MB/s (median of ${DOWNLOAD_RUNS}), ftp-check stress ${stressMBps.toFixed(0)} MB/s (median RETR, every byte compared)`);
    ratios.push({ what: `download ${(SIZE / 1024 ** 2).toFixed(0)} MiB, 1 client`, peer: 'vsftpd', baseline: curlMBps, stress: stressMBps, unit: 'MB/s', ratio: stressMBps / curlMBps, goal: 0.9 });
  } finally {
    await peer.stop();
  }
}

// ---- 2. session rate: a plain socket loop against ftp-check stress ----

/** Reads until a final reply line `ddd ` arrives; resolves its code. Bounded by REPLY_TIMEOUT_MS. */
function plainSession(host: string, port: number, user: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    let buffer = '';
    let step = 0;
    const script = [`USER ${user}\r\n`, `PASS ${password}\r\n`, 'QUIT\r\n'];
    const expect = [220, 331, 230, 221];
    const timer = setTimeout(() => fail(new Error('plain loop: no reply in time')), REPLY_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.on('error', fail);
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const lf = buffer.indexOf('\n');
        if (lf < 0) return;
        const line = buffer.slice(0, lf);
        buffer = buffer.slice(lf + 1);
        if (!/^\d{3} /.test(line)) continue;
        const code = Number(line.slice(0, 3));
        if (code !== expect[step]) return fail(new Error(`plain loop: got "${line.trim()}" at step ${step}`));
        if (step === script.length) {
          clearTimeout(timer);
          socket.end();
          return resolve();
        }
        socket.write(script[step] as string);
        step += 1;
      }
    });
  });
}

async function plainLoopRate(peer: RunningPeer, concurrency: number): Promise<number> {
  const accounts = [peer.accounts.user, peer.accounts.user2];
  const deadline = performance.now() + SECONDS * 1000;
  let sessions = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const account = accounts[i % accounts.length] as { user: string; password: string };
      for (let n = 0; n < MAX_SESSIONS_PER_LOOP && performance.now() < deadline; n++) {
        await plainSession(peer.host, peer.port, account.user, account.password);
        sessions += 1;
      }
    }),
  );
  return sessions / ((performance.now() - started) / 1000);
}

async function sessionBench(name: PeerName): Promise<void> {
  const availability = peerAvailability(name);
  if (!availability.available) {
    log(`${name}: skipped (${availability.reason})`);
    return;
  }
  const peer = await startPeer(name);
  try {
    for (const concurrency of [1, 8]) {
      const plainRates: number[] = [];
      const stressRates: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        plainRates.push(await plainLoopRate(peer, concurrency));
        const summary = await ftpCheckStress(peer, ['--scenario', 'login', '--clients', String(concurrency), '--duration', `${SECONDS}s`, '--warmup', '1s']);
        stressRates.push(summary.sessionsPerSecond as number);
      }
      const plain = median(plainRates);
      const stressRate = median(stressRates);
      log(`${name}, ${concurrency} at once: plain loop ${plainRates.map((r) => r.toFixed(0)).join('/')} sessions/s, ftp-check stress ${stressRates.map((r) => r.toFixed(0)).join('/')} (medians ${plain.toFixed(0)} vs ${stressRate.toFixed(0)})`);
      ratios.push({ what: `login sessions, ${concurrency} at once`, peer: name, baseline: plain, stress: stressRate, unit: 'sessions/s', ratio: stressRate / plain, goal: 1 });
    }
  } finally {
    await peer.stop();
  }
}

if (!peerAvailability('vsftpd').available) {
  log(`bench-stress: ${(peerAvailability('vsftpd') as { reason: string }).reason}; install the peers first (scripts/install-peers.sh)`);
  process.exit(2);
}
if (ONLY !== 'sessions') await throughputBench();
if (ONLY !== 'download') {
  await sessionBench('vsftpd');
  await sessionBench('pure-ftpd');
}

log('');
log('| measure | peer | baseline | ftp-check stress | ratio | goal |');
log('|---|---|---|---|---|---|');
for (const r of ratios) {
  log(`| ${r.what} | ${r.peer} | ${r.baseline.toFixed(0)} ${r.unit} | ${r.stress.toFixed(0)} ${r.unit} | **${r.ratio.toFixed(2)}** | ≥ ${r.goal} |`);
}
if (JSON_OUT) {
  await mkdir(dirname(JSON_OUT), { recursive: true });
  await writeFile(JSON_OUT, `${JSON.stringify({ size: SIZE, seconds: SECONDS, ratios }, null, 1)}\n`);
}
await rm(join(tmpdir(), `bench-stress-${process.pid}`), { recursive: true, force: true });
