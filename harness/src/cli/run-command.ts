/**
 * `ftp-check run`: load specs, reach the target (or start the embedded
 * ftp-ref), run the cases, report. Exit 0 all passed, 1 a case failed,
 * 2 usage, spec or target error.
 */
import { resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpecs } from '../spec/loader.ts';
import type { LoadedCase } from '../spec/types.ts';
import { buildProfile, type ProfileFlags, type TargetProfile } from '../target/profile.ts';
import { startEmbeddedTarget, type EmbeddedTarget } from '../target/embedded.ts';
import { probeTarget, removeTemporaryAccounts } from '../target/probe.ts';
import { exitCodeOf, runAll } from '../engine/runner.ts';
import { ExpectedFailures, globToRegExp, loadExpectedFailures } from '../engine/expect-fail.ts';
import { createReporters } from '../reporters/index.ts';
import { missingRequirements } from '../target/capabilities.ts';

export const DEFAULT_SPECS = fileURLToPath(new URL('../../../specs', import.meta.url));

export interface RunFlags extends ProfileFlags {
  specs: string[];
  suite?: string[];
  case?: string[];
  list: boolean;
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

/** `--junit` with no file name writes to the reports folder. */
function outputPath(value: string | undefined, folder: string, fallback: string): string | undefined {
  if (value === undefined) return undefined;
  return value === '' ? join(folder, fallback) : resolve(value);
}

export async function runCommand(flags: RunFlags, out: (text: string) => void): Promise<number> {
  const all = await loadSpecs(flags.specs);
  const knownSuites = new Set(all.map((c) => c.suite));
  for (const suite of flags.suite ?? []) {
    if (!knownSuites.has(suite)) throw new UsageError(`unknown suite "${suite}" (suites: ${[...knownSuites].sort().join(', ')})`);
  }
  const cases = selectCases(all, flags.suite, flags.case);
  if (cases.length === 0) throw new UsageError('no case matches --suite/--case');
  if (flags.list) {
    for (const c of cases) out(`${c.id.padEnd(48)} ${c.severity.padEnd(8)} ${(c.level ?? 'must').padEnd(6)} ${c.title}`);
    out(`${cases.length} cases in ${new Set(cases.map((c) => c.suite)).size} suites`);
    return 0;
  }
  const expectedFailures = flags.expectFail ? await loadExpectedFailures(flags.expectFail) : new ExpectedFailures();
  let embedded: EmbeddedTarget | null = null;
  let profile: TargetProfile;
  if (flags.target || flags.profile) {
    profile = await buildProfile(flags);
  } else {
    embedded = await startEmbeddedTarget({ tls: flags.tls });
    profile = embedded.profile;
  }
  try {
    const probed = await probeTarget(profile);

    for (const note of probed.notes) out(`ftp-check: ${note}`);
    const runnable = cases.filter((c) => missingRequirements(c.requires ?? [], probed.capabilities).length === 0).length;
    if (runnable < cases.length) out(`ftp-check: ${cases.length - runnable} cases will be skipped: the target lacks what they require`);
    const reporters = createReporters({
      console: { write: out, verbose: flags.verbose, color: flags.color },
      junit: outputPath(flags.junit, flags.reports, 'junit.xml'),
      tap: outputPath(flags.tap, flags.reports, 'results.tap'),
      json: outputPath(flags.json, flags.reports, 'results.json'),
    });
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
      await removeTemporaryAccounts(profile, probed.temporary);
    }
  } finally {
    await embedded?.stop();
  }
}

export class UsageError extends Error {}
