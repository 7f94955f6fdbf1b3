/**
 * `ftp-check stress` and `ftp-check merge`: wire options, target, accounts and
 * scenario to the runner, attach the listeners (progress line, live warnings),
 * print the final table, write --json, judge --threshold.
 *
 * Exit codes (one place, stressExitCode): 0 the run completed and every threshold
 * holds; 1 a threshold was breached, or any transfer was corrupt (corruption
 * fails a run even without thresholds); 2 usage, scenario or target error. Other
 * errors (timeouts, 421s...) are reported but do not change the exit code unless
 * a threshold says so (`--threshold errors==0`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { buildProfile, TargetError, type Account, type ProfileFlags, type TargetProfile } from '../target/profile.ts';
import type { EmbeddedTarget } from '../target/embedded.ts';
import { probeTarget, removeTemporaryAccounts } from '../target/probe.ts';
import { UsageError } from './run-command.ts';
import { resolveOptions, type StressFlags, type StressOptions } from '../stress/options.ts';
import { startStressTarget } from '../stress/embedded-target.ts';
import { builtInScenario, type Scenario } from '../stress/scenarios.ts';
import { FileScenario, loadScenarioFile } from '../stress/scenario-file.ts';
import { provisionUsers, readAccountList, type Provisioned } from '../stress/accounts.ts';
import type { SessionSettings } from '../stress/session.ts';
import { runStress, sessionSettings } from '../stress/run.ts';
import { attachProgress, type ProgressStream } from '../stress/progress.ts';
import { evaluateThresholds, parseThreshold, type Threshold, type ThresholdOutcome } from '../stress/thresholds.ts';
import { mergeResults, ResultFileError, resultFromJson, resultToJson, thresholdView, type StressResult } from '../stress/result.ts';
import { degradationWarnings } from '../stress/warnings.ts';
import { formatReport } from '../stress/table.ts';

export interface StressCommandFlags extends ProfileFlags, StressFlags {
  json?: string;
}

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  /** Where the progress line goes; drawn only if it is a TTY. */
  progress: ProgressStream;
}

export function stressExitCode(result: StressResult, outcomes: readonly ThresholdOutcome[]): number {
  if (outcomes.some((o) => !o.passed)) return 1;
  if (result.metrics.errorsOfKind('corrupt') > 0) return 1;
  return 0;
}

async function writeJson(file: string, result: StressResult): Promise<void> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(resultToJson(result), null, 1)}\n`);
}

async function chooseScenario(options: StressOptions): Promise<Scenario> {
  if (options.scenario !== 'file') return builtInScenario(options.scenario);
  return new FileScenario(await loadScenarioFile(options.scenarioFile as string));
}

/** Who the clients log in as; see stress/accounts.ts. */
async function chooseAccounts(options: StressOptions, scenario: Scenario, profile: TargetProfile, settings: SessionSettings, capabilities: ReadonlySet<string>, runId: string): Promise<{ accounts: Account[]; provisioned: Provisioned | null }> {
  if (options.accountsFile) return { accounts: await readAccountList(options.accountsFile), provisioned: null };
  if (options.users > 0) {
    const provisioned = await provisionUsers(profile, settings, options.users, runId, capabilities);
    return { accounts: provisioned.accounts, provisioned };
  }
  if (!scenario.needsAccount) return { accounts: [], provisioned: null };
  const user = profile.accounts.user;
  if (user) return { accounts: [user], provisioned: null };
  const anonymous = profile.accounts.anonymous;
  if (anonymous && !scenario.writes) return { accounts: [anonymous], provisioned: null };
  throw new TargetError(`the ${scenario.name} scenario needs an account that can log in${scenario.writes ? ' and write' : ''}: give --user name:password, --accounts FILE or --users N with an admin`);
}

export async function stressCommand(flags: StressCommandFlags, io: CommandIo): Promise<number> {
  const options = resolveOptions(flags);
  const scenario = await chooseScenario(options);
  const runId = randomBytes(3).toString('hex');
  let embedded: EmbeddedTarget | null = null;
  let profile: TargetProfile;
  if (flags.target || flags.profile) {
    profile = await buildProfile(flags);
  } else {
    embedded = await startStressTarget({ tls: flags.tls });
    profile = embedded.profile;
  }
  const notes: string[] = [];
  let provisioned: Provisioned | null = null;
  let temporaryRoles: Awaited<ReturnType<typeof probeTarget>>['temporary'] = [];
  try {
    const probed = await probeTarget(profile, { timeoutMs: options.timeoutMs });
    temporaryRoles = probed.temporary;
    const settings = sessionSettings(profile, options);
    const chosen = await chooseAccounts(options, scenario, profile, settings, probed.capabilities, runId);
    provisioned = chosen.provisioned;
    if (provisioned) notes.push(`${provisioned.accounts.length} temporary accounts made through SITE ADDUSER (removed after the run)`);
    if (options.model.kind === 'closed' && options.model.clients === 0) notes.push('this shard has no clients: fewer clients than shards');
    let stop = (): void => {};
    const onSignal = (): void => {
      io.err('ftp-check stress: stopping (signal): finishing the iterations in flight, then reporting');
      stop();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let result: StressResult;
    try {
      result = await runStress({
        options,
        scenario,
        profile,
        accounts: chosen.accounts,
        runId,
        totalClients: flags.clients ?? 10,
        notes,
        attach: (runner) => {
          stop = () => runner.stop();
          const drawing = attachProgress(runner, io.progress);
          if (!drawing) runner.on('warning', (text) => io.err(`ftp-check stress: WARNING: ${text}`));
        },
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    return await report(result, options.thresholds, notes, flags.json, io);
  } finally {
    await provisioned?.remove();
    await removeTemporaryAccounts(profile, temporaryRoles, { timeoutMs: options.timeoutMs }).catch(() => {});
    await embedded?.stop();
  }
}

async function report(result: StressResult, thresholds: Threshold[], notes: string[], json: string | undefined, io: CommandIo): Promise<number> {
  const outcomes = evaluateThresholds(thresholds, thresholdView(result));
  io.out(formatReport(result, { thresholds: outcomes, warnings: degradationWarnings(result), notes }));
  if (json !== undefined) {
    await writeJson(json, result);
    io.out(`\nresult written to ${json} (histograms exact and mergeable: ftp-check merge)`);
  }
  return stressExitCode(result, outcomes);
}

export interface MergeFlags {
  files: string[];
  threshold?: string[];
  json?: string;
}

/** `ftp-check merge a.json b.json ...`: one result from shards, judged by --threshold. */
export async function mergeCommand(flags: MergeFlags, io: CommandIo): Promise<number> {
  const thresholds = (flags.threshold ?? []).map(parseThreshold);
  if (flags.files.length === 0) throw new UsageError('merge needs at least one result file (written by stress --json)');
  const results: StressResult[] = [];
  for (const file of flags.files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      results.push(resultFromJson(JSON.parse(text) as unknown, file));
    } catch (error) {
      if (error instanceof ResultFileError) throw new UsageError(error.message);
      throw new UsageError(`${file}: not JSON: ${(error as Error).message}`);
    }
  }
  const merged = mergeResults(results);
  const notes = [`merged ${flags.files.length} result files: ${flags.files.join(', ')}`];
  return report(merged, thresholds, notes, flags.json, io);
}
