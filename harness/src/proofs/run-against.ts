/**
 * Runs spec cases programmatically, for ftp-check's own tests: against the
 * embedded ftp-ref (optionally with test-only faults) or any given profile.
 */
import { loadSpecs } from '../spec/loader.ts';
import type { LoadedCase } from '../spec/types.ts';
import { selectCases, DEFAULT_SPECS } from '../cli/run-command.ts';
import { startEmbeddedTarget } from '../target/embedded.ts';
import { probeTarget, removeTemporaryAccounts } from '../target/probe.ts';
import type { TargetProfile } from '../target/profile.ts';
import { runAll } from '../engine/runner.ts';
import { ExpectedFailures } from '../engine/expect-fail.ts';
import type { CaseResult } from '../engine/results.ts';
import { faultyVariant, type FaultName } from '../../../reference-server/faults/index.ts';

let loaded: Promise<LoadedCase[]> | null = null;

/** Every bundled case, loaded once per process. */
export function bundledCases(): Promise<LoadedCase[]> {
  loaded ??= loadSpecs([DEFAULT_SPECS]);
  return loaded;
}

export interface RunAgainstOptions {
  /** Case id globs; all cases of `suites` when absent. */
  cases?: string[];
  suites?: string[];
  jobs?: number;
  replyTimeoutMs?: number;
}

export async function runAgainstProfile(profile: TargetProfile, options: RunAgainstOptions): Promise<Map<string, CaseResult>> {
  const cases = selectCases(await bundledCases(), options.suites, options.cases);
  if (cases.length === 0) throw new Error(`no case matches ${JSON.stringify(options)}`);
  const probed = await probeTarget(profile);
  try {
    const replyTimeoutMs = options.replyTimeoutMs ?? 5000;
    const { results } = await runAll({
      cases,
      profile,
      capabilities: probed.capabilities,
      jobs: options.jobs ?? 4,
      bail: false,
      strict: true,
      expectedFailures: new ExpectedFailures(),
      settings: { replyTimeoutMs, transferTimeoutMs: 30_000 },
      caseTimeoutMs: 30_000,
      reporters: [],
    });
    return new Map(results.map((result) => [result.info.id, result]));
  } finally {
    await removeTemporaryAccounts(profile, probed.temporary);
  }
}

/** Starts an embedded ftp-ref with `faults`, runs the cases, stops it. */
export async function runAgainstEmbedded(options: RunAgainstOptions & { faults?: FaultName[] }): Promise<Map<string, CaseResult>> {
  const target = await startEmbeddedTarget({ variant: faultyVariant(options.faults ?? []) });
  try {
    return await runAgainstProfile(target.profile, options);
  } finally {
    await target.stop();
  }
}

/** A one-line account of a result, for assertion messages. */
export function explain(result: CaseResult | undefined): string {
  if (!result) return 'not run';
  const failure = result.failure ? ` — ${result.failure.step}: expected ${result.failure.expected.join(' / ')}, got ${result.failure.actual}` : '';
  return `${result.status}${result.reason ? ` (${result.reason})` : ''}${failure}${result.harnessError ? ` [harness error: ${result.harnessError.split('\n')[0]}]` : ''}`;
}
