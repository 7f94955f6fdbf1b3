/**
 * One stress run from what the command (or a test) has decided: options, scenario,
 * target profile and accounts. Builds the session settings and the scenario's
 * environment, lets the caller attach listeners to the runner, runs it.
 */
import { randomBytes } from 'node:crypto';
import type { Account, TargetProfile } from '../target/profile.ts';
import { firstClientOf, transferTimeoutMs, type StressOptions } from './options.ts';
import type { StressResult } from './result.ts';
import { StressRunner } from './runner.ts';
import type { Scenario, ScenarioEnv } from './scenarios.ts';
import type { SessionSettings } from './session.ts';

export function sessionSettings(profile: TargetProfile, options: StressOptions): SessionSettings {
  return {
    host: profile.host,
    port: profile.port,
    tls: profile.tls,
    replyTimeoutMs: options.timeoutMs,
    transferTimeoutMs: transferTimeoutMs(options),
    dataMode: options.dataMode,
    digest: options.digest,
  };
}

export interface StressRun {
  options: StressOptions;
  scenario: Scenario;
  profile: TargetProfile;
  accounts: Account[];
  /** Names the run's folders and files; random by default. */
  runId?: string;
  /** Clients in all shards (for client numbering with --shard). */
  totalClients?: number;
  /** Setup and teardown notes land here. */
  notes?: string[];
  /** Attach listeners (progress, warnings) before the run starts. */
  attach?(runner: StressRunner): void;
}

export async function runStress(run: StressRun): Promise<StressResult> {
  const { options, scenario, profile } = run;
  const notes = run.notes ?? [];
  const env: ScenarioEnv = {
    runId: run.runId ?? randomBytes(3).toString('hex'),
    options,
    profile,
    settings: sessionSettings(profile, options),
    accounts: run.accounts,
    note: (text) => notes.push(text),
  };
  const closed = options.model.kind === 'closed' ? options.model : null;
  const runner = new StressRunner({
    options,
    scenario,
    env,
    accounts: run.accounts,
    target: profile.name,
    firstClient: closed ? firstClientOf(run.totalClients ?? closed.clients, options.shard) : 0,
  });
  run.attach?.(runner);
  return runner.run();
}
