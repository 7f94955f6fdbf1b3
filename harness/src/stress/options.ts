/**
 * `ftp-check stress` options: the pure parsers for durations, sizes and shards,
 * the exact split of a load between shards, and the one function that turns
 * flags into validated options. Every problem is a UsageError (exit 2).
 */
import { UsageError } from '../cli/run-command.ts';
import { parseThreshold, type Threshold } from './thresholds.ts';
import type { DigestAlgorithm } from './integrity.ts';
import { DIGEST_ALGORITHMS } from './integrity.ts';

export const BUILT_IN_SCENARIOS = ['connect', 'login', 'list', 'download', 'upload', 'mixed', 'churn'] as const;
export type BuiltInScenario = (typeof BUILT_IN_SCENARIOS)[number];

export type LoadModel =
  /** `clients` sessions, each running iterations back to back. */
  | { kind: 'closed'; clients: number }
  /** Iterations start on a fixed schedule, `rate` per second, whatever the server does. */
  | { kind: 'open'; rate: number; maxInFlight: number };

export interface Shard {
  /** 1-based, as in `--shard 1/4`. */
  index: number;
  count: number;
}

export interface StressOptions {
  /** A built-in scenario name, or `file` for `--scenario FILE`. */
  scenario: BuiltInScenario | 'file';
  scenarioFile?: string;
  model: LoadModel;
  /** Measured time, after the warm-up; null with --amount alone (then MAX_RUN_MS bounds it). */
  durationMs: number | null;
  /** Measured iterations to run in all (this shard's part). */
  amount: number | null;
  rampMs: number;
  warmupMs: number;
  /** Wait for one reply; a whole transfer gets more (see transferTimeoutMs). */
  timeoutMs: number;
  /** Bytes of each upload, and of the seeded file downloads read. */
  fileSize: number;
  /** Download this existing file instead of a seeded one. */
  remoteFile?: string;
  /** Its digest, `alg:hex`; without it the run reads it once first and holds every later download to that. */
  remoteDigest?: { algorithm: DigestAlgorithm; hex: string };
  digest: DigestAlgorithm;
  /** Share of uploads read back and compared (0..1). */
  verifySample: number;
  /** Temporary accounts to make through SITE ADDUSER (this shard's part). */
  users: number;
  accountsFile?: string;
  shard: Shard | null;
  dataMode: 'pasv' | 'epsv';
  thresholds: Threshold[];
}

/** With --amount and no --duration the run still ends: after this long at most. */
export const MAX_RUN_MS = 10 * 60_000;
const DEFAULT_DURATION_MS = 10_000;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, '': 1000 };

/** `20s`, `500ms`, `1.5m`, `1h`; a bare number is seconds. */
export function parseDuration(text: string, flag = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(String(text));
  if (!m) throw new UsageError(`--${flag} must be a duration like 20s, 500ms, 2m (got "${text}")`);
  const ms = Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] as number);
  if (!Number.isFinite(ms) || ms > 24 * 3_600_000) throw new UsageError(`--${flag} is too long (at most 24h)`);
  return Math.round(ms);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3 };

/** `1MiB`, `64k` (KiB), `10MB` (decimal), `1024`. */
export function parseSize(text: string, flag = 'file-size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(String(text));
  const unit = SIZE_UNITS[(m?.[2] ?? '?').toLowerCase()];
  if (!m || unit === undefined) throw new UsageError(`--${flag} must be a size like 1MiB, 64k, 10MB or a byte count (got "${text}")`);
  const bytes = Math.round(Number(m[1]) * unit);
  if (bytes > 8 * 1024 ** 3) throw new UsageError(`--${flag} is too large (at most 8 GiB)`);
  return bytes;
}

/** `i/n`, 1-based: `--shard 1/4` .. `--shard 4/4`. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(text));
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count || count > 10_000) {
    throw new UsageError(`--shard must be i/n with 1 <= i <= n (e.g. 2/4), got "${text}"`);
  }
  return { index, count };
}

/**
 * Shard `index` of `count`'s part of a whole number: floor(total*i/n) -
 * floor(total*(i-1)/n), so the parts differ by one at most and add up to total.
 */
export function shareOf(total: number, shard: Shard | null): number {
  if (!shard) return total;
  return Math.floor((total * shard.index) / shard.count) - Math.floor((total * (shard.index - 1)) / shard.count);
}

/** The first global client number of a shard, so client ids stay unique across shards. */
export function firstClientOf(total: number, shard: Shard | null): number {
  return shard ? Math.floor((total * (shard.index - 1)) / shard.count) : 0;
}

export interface StressFlags {
  scenario?: string;
  clients?: number;
  rate?: number;
  maxInFlight?: number;
  duration?: string;
  amount?: number;
  ramp?: string;
  warmup?: string;
  timeout?: number;
  fileSize?: string;
  remoteFile?: string;
  remoteDigest?: string;
  digest?: string;
  verifySample?: number;
  users?: number;
  accounts?: string;
  shard?: string;
  dataMode?: string;
  threshold?: string[];
}

function wholeNumber(value: number | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}`);
  return value;
}

/** Validates flags and applies --shard. Throws UsageError naming the flag. */
export function resolveOptions(flags: StressFlags): StressOptions {
  const thresholds = (flags.threshold ?? []).map(parseThreshold);
  const shard = flags.shard === undefined ? null : parseShard(flags.shard);
  const name = flags.scenario ?? 'mixed';
  const builtIn = (BUILT_IN_SCENARIOS as readonly string[]).includes(name);
  if (!builtIn && !/\.ya?ml$/i.test(name)) {
    throw new UsageError(`--scenario must be one of ${BUILT_IN_SCENARIOS.join(', ')}, or a YAML file (got "${name}")`);
  }
  const clients = wholeNumber(flags.clients, 'clients', 1, 100_000);
  if (clients !== undefined && flags.rate !== undefined) throw new UsageError('--clients (closed model) and --rate (open model) exclude each other');
  if (flags.rate !== undefined && !(flags.rate > 0 && flags.rate <= 1_000_000)) throw new UsageError('--rate must be iterations per second, above 0');
  const maxInFlight = wholeNumber(flags.maxInFlight, 'max-in-flight', 1, 100_000) ?? 1000;
  let model: LoadModel;
  if (flags.rate !== undefined) {
    model = { kind: 'open', rate: shard ? flags.rate / shard.count : flags.rate, maxInFlight: Math.max(1, shareOf(maxInFlight, shard)) };
  } else {
    model = { kind: 'closed', clients: shareOf(clients ?? 10, shard) };
  }
  const amountTotal = wholeNumber(flags.amount, 'amount', 1, 1_000_000_000);
  const durationMs = flags.duration !== undefined ? parseDuration(flags.duration) : amountTotal !== undefined ? null : DEFAULT_DURATION_MS;
  if (durationMs !== null && durationMs < 1) throw new UsageError('--duration must be above 0');
  const timeoutSeconds = flags.timeout ?? 10;
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 600)) throw new UsageError('--timeout must be seconds, above 0 and at most 600');
  const digest = (flags.digest ?? 'crc32') as DigestAlgorithm;
  if (!DIGEST_ALGORITHMS.includes(digest)) throw new UsageError(`--digest must be one of ${DIGEST_ALGORITHMS.join(', ')}`);
  let remoteDigest: StressOptions['remoteDigest'];
  if (flags.remoteDigest !== undefined) {
    const m = /^([a-z0-9]+):([0-9a-fA-F]+)$/.exec(flags.remoteDigest);
    if (!m || !DIGEST_ALGORITHMS.includes(m[1] as DigestAlgorithm)) throw new UsageError(`--remote-digest must be ALG:HEX with ALG one of ${DIGEST_ALGORITHMS.join(', ')}`);
    if (flags.remoteFile === undefined) throw new UsageError('--remote-digest goes with --remote-file');
    remoteDigest = { algorithm: m[1] as DigestAlgorithm, hex: (m[2] as string).toLowerCase() };
  }
  const verifySample = flags.verifySample ?? 0.1;
  if (!(verifySample >= 0 && verifySample <= 1)) throw new UsageError('--verify-sample must be a share from 0 to 1');
  const users = wholeNumber(flags.users, 'users', 1, 10_000);
  if (users !== undefined && flags.accounts !== undefined) throw new UsageError('--users and --accounts exclude each other');
  const dataMode = flags.dataMode ?? 'pasv';
  if (dataMode !== 'pasv' && dataMode !== 'epsv') throw new UsageError('--data-mode must be pasv or epsv');
  if (users !== undefined && shard && users < shard.count) throw new UsageError(`--users ${users} cannot be split into ${shard.count} shards: give at least one per shard`);
  const amount = amountTotal === undefined ? null : shareOf(amountTotal, shard);
  return {
    scenario: builtIn ? (name as BuiltInScenario) : 'file',
    ...(builtIn ? {} : { scenarioFile: name }),
    model,
    durationMs,
    amount,
    rampMs: flags.ramp !== undefined ? parseDuration(flags.ramp, 'ramp') : 0,
    warmupMs: flags.warmup !== undefined ? parseDuration(flags.warmup, 'warmup') : 0,
    timeoutMs: Math.round(timeoutSeconds * 1000),
    fileSize: flags.fileSize !== undefined ? parseSize(flags.fileSize) : 64 * 1024,
    ...(flags.remoteFile !== undefined ? { remoteFile: flags.remoteFile } : {}),
    ...(remoteDigest ? { remoteDigest } : {}),
    digest,
    verifySample,
    users: users === undefined ? 0 : shareOf(users, shard),
    ...(flags.accounts !== undefined ? { accountsFile: flags.accounts } : {}),
    shard,
    dataMode,
    thresholds,
  };
}

/** A whole transfer may take longer than one reply: at least a minute. */
export function transferTimeoutMs(options: Pick<StressOptions, 'timeoutMs'>): number {
  return Math.max(options.timeoutMs * 6, 60_000);
}
