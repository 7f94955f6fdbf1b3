/**
 * The engine against scripted fake servers that misbehave on purpose: the
 * right case fails, with the right expected vs actual, and a hang ends in a
 * timeout instead of a stuck run.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startScriptedServer, act, type ScriptRule, type ScriptedServer } from '../../../fixtures/fake-servers/scripted-server.ts';
import { fakeServerProfile, scratchDialogue } from '../../../fixtures/fake-servers/scratch-dialogue.ts';
import { loadSpecs } from '../spec/loader.ts';
import { runAll } from './runner.ts';
import { ExpectedFailures } from './expect-fail.ts';
import { createConsoleReporter } from '../reporters/console.ts';
import type { TargetProfile } from '../target/profile.ts';
import type { CaseResult } from './results.ts';

const SPECS = fileURLToPath(new URL('../../../fixtures/specs/engine', import.meta.url));
const servers: ScriptedServer[] = [];
after(async () => {
  for (const server of servers) await server.close();
});

/** A minimal well-behaved FTP dialogue; `overrides` come first, so they win. */
async function fakeServer(overrides: ScriptRule[]): Promise<ScriptedServer> {
  const server = await startScriptedServer({
    rules: [
      ...overrides,
      { match: 'TYPE', do: [act.reply('200 Type set.')] },
      { match: 'PASV', do: [act.pasv()] },
      { match: 'STOR', do: [act.reply('150 Send it.'), act.dataReceive(), act.reply('226 Stored.')] },
      { match: 'RETR', do: [act.reply('150 Here it comes.'), act.dataSend('the original bytes'), act.reply('226 Sent.')] },
      { match: 'FEAT', do: [act.reply('211-Features:', ' PASV', '211 End')] },
      ...scratchDialogue(),
    ],
  });
  servers.push(server);
  return server;
}

function profileFor(server: ScriptedServer): TargetProfile {
  return fakeServerProfile(server, 'fake');
}

async function run(server: ScriptedServer, ids: string[], replyTimeoutMs = 2000): Promise<{ results: Map<string, CaseResult>; console: string }> {
  const cases = (await loadSpecs([SPECS])).filter((c) => ids.includes(c.id));
  let console = '';
  const { results } = await runAll({
    cases,
    profile: profileFor(server),
    capabilities: new Set(['role:user']),
    jobs: 2,
    bail: false,
    strict: false,
    expectedFailures: new ExpectedFailures(),
    settings: { replyTimeoutMs, transferTimeoutMs: 5000 },
    caseTimeoutMs: 8000,
    reporters: [createConsoleReporter({ write: (text) => (console += `${text}\n`), verbose: false, color: false })],
  });
  return { results: new Map(results.map((r) => [r.info.id, r])), console };
}

test('a well-behaved fake server passes every engine case', async () => {
  const { results, console } = await run(await fakeServer([]), ['engine.noop', 'engine.roundtrip', 'engine.pwd-no-leak', 'engine.parallel-barrier']);
  for (const [id, result] of results) assert.equal(result.status, 'passed', `${id}: ${JSON.stringify(result.failure)}`);
  assert.match(console, /^4 passed, 0 failed, 0 skipped$/m);
});

test('a wrong reply code fails the case with expected vs actual and the warning', async () => {
  const { results, console } = await run(await fakeServer([{ match: 'NOOP', do: [act.reply('500 What?')] }]), ['engine.noop']);
  const result = results.get('engine.noop');
  assert.equal(result?.status, 'failed');
  assert.deepEqual(result?.failure?.expected, ['reply 200']);
  assert.match(result?.failure?.actual ?? '', /500 What\?/);
  assert.match(console, /WARNING \[minor, MUST-level\]: NOOP did not answer 200\./);
  assert.match(console, /> NOOP/);
  assert.match(console, /^0 passed, 1 failed, 0 skipped$/m);
});

test('wrong bytes in a download fail the round trip at the first differing byte', async () => {
  const server = await fakeServer([{ match: 'RETR', do: [act.reply('150 Here.'), act.dataSend('the 0riginal bytes'), act.reply('226 Sent.')] }]);
  const { results } = await run(server, ['engine.roundtrip']);
  const failure = results.get('engine.roundtrip')?.failure;
  assert.equal(results.get('engine.roundtrip')?.status, 'failed');
  assert.match(failure?.actual ?? '', /first difference at byte 4/);
});

test('a server that hangs ends in a timeout, not a stuck run', async () => {
  const started = Date.now();
  const { results } = await run(await fakeServer([{ match: 'NOOP', do: [act.hang()] }]), ['engine.noop'], 500);
  assert.equal(results.get('engine.noop')?.status, 'failed');
  assert.match(results.get('engine.noop')?.failure?.actual ?? '', /no reply within 500 ms/);
  assert.ok(Date.now() - started < 8000);
});

test('a dropped connection is an outcome the case reports', async () => {
  const { results } = await run(await fakeServer([{ match: 'NOOP', do: [act.close()] }]), ['engine.noop']);
  assert.equal(results.get('engine.noop')?.status, 'failed');
  assert.match(results.get('engine.noop')?.failure?.actual ?? '', /connection was closed/);
});

test('a server path in a reply fails a leak-checking case', async () => {
  const server = await fakeServer([{ match: 'PWD', do: [act.reply('257 "/srv/fake-root/home/alice" is the current directory.')] }]);
  const { results } = await run(server, ['engine.pwd-no-leak']);
  const result = results.get('engine.pwd-no-leak');
  // On a server that does not claim the file-manager protocol a path in a reply is a hardening finding: SHOULD-level.
  assert.equal(result?.status, 'warned');
  assert.equal(result?.info.level, 'should');
  assert.equal(result?.failure?.step, 'leak check');
  assert.match(result?.failure?.actual ?? '', /\/srv\/fake-root/);
});

test('a parallel branch that fails breaks the barrier instead of deadlocking', async () => {
  let logins = 0;
  const server = await fakeServer([{ match: 'PASS', do: [act.run((context) => context.write(++logins === 2 ? '530 No.\r\n' : '230 In.\r\n'))] }]);
  const { results } = await run(server, ['engine.parallel-barrier']);
  // A refused login is only the way to the check: nothing was learnt about the case's requirement.
  assert.equal(results.get('engine.parallel-barrier')?.status, 'not-checked');
  assert.match(results.get('engine.parallel-barrier')?.failure?.actual ?? '', /530/);
  assert.match(results.get('engine.parallel-barrier')?.reason ?? '', /530.*needed to log in/);
});
