/**
 * Every scenario against a real ftp-ref (small bounds: a few iterations each),
 * a scenario file, temporary accounts through SITE ADDUSER, and the runner's events.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStressTarget } from './embedded-target.ts';
import type { EmbeddedTarget } from '../target/embedded.ts';
import { resolveOptions, type StressFlags } from './options.ts';
import { builtInScenario } from './scenarios.ts';
import { FileScenario, loadScenarioFile } from './scenario-file.ts';
import { runStress, sessionSettings } from './run.ts';
import { provisionUsers } from './accounts.ts';
import { StressSession } from './session.ts';
import { UNMEASURED } from './scenarios.ts';
import type { StressResult } from './result.ts';
import { SpecError } from '../spec/loader.ts';
import { temporaryFolder } from '../../../reference-server/test/temporary-folder.ts';

let target: EmbeddedTarget;
before(async () => {
  target = await startStressTarget();
});
after(async () => {
  await target.stop();
});

async function stress(flags: StressFlags, accounts = [target.profile.accounts.user!]): Promise<StressResult> {
  const options = resolveOptions({ timeout: 5, ...flags });
  const scenario = options.scenario === 'file' ? new FileScenario(await loadScenarioFile(options.scenarioFile!)) : builtInScenario(options.scenario);
  return runStress({ options, scenario, profile: target.profile, accounts: scenario.needsAccount ? accounts : [] });
}

function errorsOf(result: StressResult): string {
  return [...result.metrics.errors.values()].map((g) => `${g.key} ×${g.count}: ${g.examples[0]?.message}`).join('\n');
}

test('connect, login and churn: whole sessions, each op measured', async () => {
  for (const scenario of ['connect', 'login', 'churn']) {
    const result = await stress({ scenario, clients: 2, amount: 4 });
    assert.equal(result.metrics.totalErrors(), 0, `${scenario}: ${errorsOf(result)}`);
    assert.equal(result.metrics.iterations.totalCount, 4, scenario);
    assert.equal(result.metrics.sessions, 4);
    assert.equal(result.metrics.op('connect').count, 4);
    if (scenario !== 'connect') assert.equal(result.metrics.op('login').count, 4);
    if (scenario !== 'churn') assert.equal(result.metrics.op('QUIT').count, 4);
    else assert.equal(result.metrics.ops.has('QUIT'), false, 'churn sessions leave without QUIT');
  }
});

test('list, download and upload keep one session per client; every byte is checked', async () => {
  const list = await stress({ scenario: 'list', clients: 2, amount: 6 });
  assert.equal(list.metrics.op('LIST').count, 6, errorsOf(list));
  assert.equal(list.metrics.sessions, 2, 'one session per client, reused');

  const download = await stress({ scenario: 'download', clients: 2, amount: 6, fileSize: '100k' });
  assert.equal(download.metrics.totalErrors(), 0, errorsOf(download));
  assert.equal(download.metrics.op('RETR').count, 6);
  assert.equal(download.metrics.verified, 6);
  assert.equal(download.metrics.bytesDown, 6 * 100 * 1024);

  const upload = await stress({ scenario: 'upload', clients: 2, amount: 6, fileSize: '10k', verifySample: 1 });
  assert.equal(upload.metrics.totalErrors(), 0, errorsOf(upload));
  assert.equal(upload.metrics.op('STOR').count, 6);
  assert.equal(upload.metrics.op('readback').count, 6, 'every upload read back with --verify-sample 1');
  assert.equal(upload.metrics.bytesUp, 6 * 10 * 1024);
});

test('mixed: a weighted mix of verbs, with no errors on a correct server', async () => {
  const result = await stress({ scenario: 'mixed', clients: 3, amount: 60, fileSize: '4k', verifySample: 0.5 });
  assert.equal(result.metrics.totalErrors(), 0, errorsOf(result));
  assert.equal(result.metrics.iterations.totalCount, 60);
  const verbs = [...result.metrics.ops.keys()];
  for (const verb of ['connect', 'login', 'TYPE', 'MKD', 'CWD', 'STOR']) assert.ok(verbs.includes(verb), `${verb} in ${verbs.join(', ')}`);
  assert.ok(verbs.length >= 8, `a mix: ${verbs.join(', ')}`);
});

test('the open model counts from the scheduled start and reports its schedule', async () => {
  const result = await stress({ scenario: 'connect', rate: 50, amount: 5 });
  assert.equal(result.metrics.iterations.totalCount, 5, errorsOf(result));
  assert.equal(result.meta.model.kind, 'open');
  assert.equal(result.metrics.dropped, 0);
});

test('a scenario file runs its steps per iteration, each timed under its verb', async (t) => {
  const dir = await temporaryFolder(t, 'stress-scenario-');
  const file = join(dir, 'fetch.yaml');
  await writeFile(
    file,
    ['name: put and fetch', 'steps:', '  - login: user', '  - send: TYPE I', '  - put: "${scratch}/f-${client}-${iteration}.bin"', '    random: 2048', '    remember: body', '  - get: "${scratch}/f-${client}-${iteration}.bin"', '    data: { equalsContentOf: body }', '  - send: NOOP', '  - quit: true', ''].join('\n'),
  );
  const result = await stress({ scenario: file, clients: 2, amount: 4 });
  assert.equal(result.metrics.totalErrors(), 0, errorsOf(result));
  assert.equal(result.meta.scenario, 'put and fetch');
  assert.equal(result.metrics.sessions, 4, 'the session each login step opened');
  for (const op of ['login', 'TYPE', 'STOR', 'RETR', 'NOOP', 'QUIT']) assert.equal(result.metrics.op(op).count, 4, op);

  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, 'steps:\n  - login: user\n  - frobnicate: true\n');
  await assert.rejects(loadScenarioFile(bad), (error: unknown) => error instanceof SpecError && /bad\.yaml:3: .*a step needs one action key/.test(error.message));
  await writeFile(bad, 'name: x\nsteps:\n  - send: 42\n');
  await assert.rejects(loadScenarioFile(bad), (error: unknown) => error instanceof SpecError && /bad\.yaml:3: steps\/0\/send: must be string/.test(error.message));
});

test('--users: temporary accounts made through SITE ADDUSER, used in turn, removed after', async () => {
  const options = resolveOptions({ scenario: 'login', clients: 3, amount: 3, users: 3 });
  const settings = sessionSettings(target.profile, options);
  const provisioned = await provisionUsers(target.profile, settings, 3, 'test01', new Set(['SITE ADDUSER']));
  assert.equal(provisioned.accounts.length, 3);
  const result = await runStress({ options, scenario: builtInScenario('login'), profile: target.profile, accounts: provisioned.accounts });
  assert.equal(result.metrics.op('login').count, 3, errorsOf(result));
  await provisioned.remove();
  const session = await StressSession.open(settings, UNMEASURED, 'check');
  await assert.rejects(session.login(provisioned.accounts[0]!), /login: reply 530/);
  await session.close();
});

test('the runner emits start, ticks and done; it prints nothing itself', async () => {
  const options = resolveOptions({ scenario: 'connect', clients: 1, duration: '1.2s' });
  const events: string[] = [];
  await runStress({
    options,
    scenario: builtInScenario('connect'),
    profile: target.profile,
    accounts: [],
    attach: (runner) => {
      runner.on('start', () => events.push('start'));
      runner.on('tick', (tick) => events.push(`tick ${tick.phase}`));
      runner.on('done', () => events.push('done'));
    },
  });
  assert.equal(events[0], 'start');
  assert.ok(events.includes('tick measure'), events.join(', '));
  assert.equal(events[events.length - 1], 'done');
});
