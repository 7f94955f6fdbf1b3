/**
 * `ftp-check run`: load specs, reach the target (or start the embedded
 * ftp-ref), run the cases, report. Exit 0 all passed, 1 a case failed,
 * 2 usage, spec or target error.
 */
import { resolve, join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { DEFAULT_SPECS, UsageError } from './package-files.ts';
import { loadSpecs } from '../spec/loader.ts';
import type { LoadedCase } from '../spec/types.ts';
import { buildProfile, type ProfileFlags, type TargetProfile } from '../target/profile.ts';
import { startEmbeddedTarget, type EmbeddedTarget } from '../target/embedded.ts';
import { probeTarget, removeTemporaryAccounts, type Probed } from '../target/probe.ts';
import { exitCodeOf, runAll } from '../engine/runner.ts';
import { rolesUsed } from '../engine/case-runner.ts';
import { ExpectedFailures, globToRegExp, loadExpectedFailures } from '../engine/expect-fail.ts';
import { createConsoleReporter, createReporters } from '../reporters/index.ts';
import { createQuietReporter } from '../reporters/quiet.ts';
import { createProgressReporter, type ProgressStream } from '../reporters/progress.ts';
import { missingRequirements } from '../target/capabilities.ts';

export { DEFAULT_SPECS, UsageError };

export interface RunFlags extends ProfileFlags {
  specs: string[];
  suite?: string[];
  case?: string[];
  list: boolean;
  /** List the suites with their case counts and exit. */
  listSuites?: boolean;
  /** Only failures and the summary. */
  quiet?: boolean;
  bail: boolean;
  timeout: number;
  jobs: number;
  /** Seconds the whole run may take (default from the number of cases). */
  deadline?: number;
  strict: boolean;
  expectFail?: string;
  junit?: string;
  tap?: string;
  json?: string;
  reports: string;
  verbose: boolean;
  color: boolean;
}

export function selectCases(cases: LoadedCase[], suites: string[] | undefined, patterns: string[] | undefined): LoadedCase[] {
  const suiteSet = suites && suites.length > 0 ? new Set(suites) : null;
  const matchers = (patterns ?? []).map(globToRegExp);
  return cases.filter((c) => (!suiteSet || suiteSet.has(c.suite)) && (matchers.length === 0 || matchers.some((m) => m.test(c.id))));
}

/** Says what was asked for, so a mistyped glob is seen at once, and how to find real ids. */
export function noMatchMessage(suites: string[] | undefined, patterns: string[] | undefined): string {
  const asked = [...(suites ?? []).map((s) => `--suite ${s}`), ...(patterns ?? []).map((p) => `--case '${p}'`)].join(' ');
  return `no case matches ${asked || 'the given specs'}; \`ftp-check run --list${suites?.length ? ` --suite ${suites.join(' ')}` : ''}\` shows the case ids`;
}

/** `--junit` with no file name writes to the reports folder. */
function outputPath(value: string | undefined, folder: string, fallback: string): string | undefined {
  if (value === undefined) return undefined;
  return value === '' ? join(folder, fallback) : resolve(value);
}

/** What `--list --json` prints: one object per case, for scripts and editors. */
export function caseListJson(cases: LoadedCase[]): string {
  const rows = cases.map((c) => ({ id: c.id, suite: c.suite, title: c.title, severity: c.severity, level: c.level ?? 'must', references: c.references, requires: c.requires ?? [], file: c.file, line: c.line }));
  return JSON.stringify(rows, null, 1);
}

function listSuites(cases: LoadedCase[], out: (text: string) => void): void {
  const counts = new Map<string, number>();
  for (const c of cases) counts.set(c.suite, (counts.get(c.suite) ?? 0) + 1);
  for (const [suite, count] of [...counts].sort(([a], [b]) => a.localeCompare(b))) out(`${suite.padEnd(16)} ${count} case${count === 1 ? '' : 's'}`);
}

export interface RunIo {
  out: (text: string) => void;
  /** Where the live progress line is drawn, if it is a terminal. */
  progress?: ProgressStream;
}

export async function runCommand(flags: RunFlags, io: RunIo | ((text: string) => void)): Promise<number> {
  const { out: rawOut, progress: progressStream } = typeof io === 'function' ? { out: io, progress: undefined } : io;
  // The embedded target starts and is probed (scrypt on the thread pool) while the specs load (YAML on this thread).
  const reachingEmbedded = flags.target || flags.profile || flags.list || flags.listSuites ? null : startAndProbeEmbedded(flags);
  reachingEmbedded?.catch(() => {}); // awaited below, or stopped in `finally` if the run ends before it is needed
  try {
    return await runWith(flags, rawOut, progressStream, reachingEmbedded);
  } finally {
    await (await reachingEmbedded?.catch(() => null))?.embedded?.stop();
  }
}

interface ReachedTarget {
  embedded: EmbeddedTarget | null;
  profile: TargetProfile;
  probed: Probed;
}

async function startAndProbeEmbedded(flags: RunFlags): Promise<ReachedTarget> {
  const embedded = await startEmbeddedTarget({ tls: flags.tls });
  try {
    return { embedded, profile: embedded.profile, probed: await probeTarget(embedded.profile, { timeoutMs: flags.timeout * 1000 }) };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

async function runWith(flags: RunFlags, rawOut: (text: string) => void, progressStream: ProgressStream | undefined, reachingEmbedded: Promise<ReachedTarget> | null): Promise<number> {
  let out = rawOut;
  const all = await loadSpecs(flags.specs);
  if (flags.listSuites) {
    listSuites(all, out);
    return 0;
  }
  const knownSuites = new Set(all.map((c) => c.suite));
  for (const suite of flags.suite ?? []) {
    if (!knownSuites.has(suite)) throw new UsageError(`unknown suite "${suite}" (suites: ${[...knownSuites].sort().join(', ')})`);
  }
  const cases = selectCases(all, flags.suite, flags.case);
  if (cases.length === 0) throw new UsageError(noMatchMessage(flags.suite, flags.case));
  if (flags.list && flags.json !== undefined) {
    // `--list --json` prints the list; `--list --json FILE` writes it there.
    if (flags.json === '') out(caseListJson(cases));
    else await writeFile(resolve(flags.json), `${caseListJson(cases)}\n`);
    return 0;
  }
  if (flags.list) {
    for (const c of cases) out(`${c.id.padEnd(48)} ${c.severity.padEnd(8)} ${(c.level ?? 'must').padEnd(6)} ${c.title}`);
    out(`${cases.length} cases in ${new Set(cases.map((c) => c.suite)).size} suites`);
    return 0;
  }
  const expectedFailures = flags.expectFail ? await loadExpectedFailures(flags.expectFail) : new ExpectedFailures();
  let reached: ReachedTarget;
  if (reachingEmbedded) reached = await reachingEmbedded;
  else {
    const profile = await buildProfile(flags);
    reached = { embedded: null, profile, probed: await probeTarget(profile, { timeoutMs: flags.timeout * 1000 }) };
  }
  const { profile, probed } = reached;
  const note = flags.quiet ? () => {} : out;
  for (const text of probed.notes) note(`ftp-check: ${text}`);
  const runnable = cases.filter((c) => missingRequirements([...(c.requires ?? []), ...rolesUsed(c)], probed.capabilities).length === 0).length;
  if (runnable < cases.length) note(`ftp-check: ${cases.length - runnable} cases will be skipped: the target lacks what they require`);
  const progress = progressStream ? createProgressReporter(progressStream) : null;
  if (progress) out = progress.around(out);
  const consoleOptions = { write: out, verbose: flags.verbose, color: flags.color };
  const reporters = [
    ...(progress ? [progress] : []),
    flags.quiet ? createQuietReporter(consoleOptions) : createConsoleReporter(consoleOptions),
    ...createReporters({
      junit: outputPath(flags.junit, flags.reports, 'junit.xml'),
      tap: outputPath(flags.tap, flags.reports, 'results.tap'),
      json: outputPath(flags.json, flags.reports, 'results.json'),
    }),
  ];
  try {
    const { summary } = await runAll({
      cases,
      profile,
      capabilities: probed.capabilities,
      jobs: flags.jobs,
      bail: flags.bail,
      strict: flags.strict,
      expectedFailures,
      settings: { replyTimeoutMs: flags.timeout * 1000, transferTimeoutMs: Math.max(flags.timeout * 1000, 60_000) },
      caseTimeoutMs: Math.max(30_000, flags.timeout * 6000),
      reporters,
      deadlineMs: flags.deadline === undefined ? undefined : flags.deadline * 1000,
    });
    return exitCodeOf(summary, flags.strict);
  } finally {
    await removeTemporaryAccounts(profile, probed.temporary, { timeoutMs: flags.timeout * 1000 });
  }
}
