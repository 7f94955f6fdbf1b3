/**
 * Verdicts a user can trust, against scripted fake servers that behave as real
 * servers do in ways that used to give false alarms: a case fails only when its
 * check got a forbidden answer; setup that goes wrong is "not checked" and
 * points at the case whose requirement it is; a dead target is named once; the
 * 421s of ftp-check's own sessions are waited out; a case's story is told only
 * when it is what happened.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startScriptedServer, act, type ScriptRule, type ScriptedServer, type ScriptedServerOptions } from '../../../fixtures/fake-servers/scripted-server.ts';
import { fakeServerProfile, scratchDialogue } from '../../../fixtures/fake-servers/scratch-dialogue.ts';
import { loadSpecs } from '../spec/loader.ts';
import { exitCodeOf, runAll } from './runner.ts';
import { ExpectedFailures } from './expect-fail.ts';
import { createConsoleReporter } from '../reporters/console.ts';
import { probeTarget } from '../target/probe.ts';
import type { CaseResult, RunSummary } from './results.ts';

const SPECS = fileURLToPath(new URL('../../../fixtures/specs/engine', import.meta.url));
const servers: ScriptedServer[] = [];
after(async () => {
  for (const server of servers) await server.close();
});

const WELL_BEHAVED: ScriptRule[] = [
  { match: 'TYPE', do: [act.reply('200 Type set.')] },
  { match: 'PASV', do: [act.pasv()] },
  { match: 'STOR', do: [act.reply('150 Send it.'), act.dataReceive(), act.reply('226 Stored.')] },
  { match: 'NLST', do: [act.reply('150 Names.'), act.dataSend('seen.txt\r\n'), act.reply('226 Done.')] },
  { match: 'FEAT', do: [act.reply('211-Features:', ' PASV', '211 End')] },
];

async function fakeServer(overrides: ScriptRule[], options: Omit<ScriptedServerOptions, 'rules'> = {}): Promise<ScriptedServer> {
  const server = await startScriptedServer({ ...options, rules: [...overrides, ...WELL_BEHAVED, ...scratchDialogue()] });
  servers.push(server);
  return server;
}

/** A greeting that answers 421 and hangs up past `limit` sessions open at once, as a server with a connection limit does. */
function greetingWithinLimit(limit: number) {
  let open = 0;
  return act.run((context) => {
    open += 1;
    void context.session.waitForClose(60_000).then(() => (open -= 1));
    if (open > limit) {
      context.write(`421 Too many connections (${limit} allowed).\r\n`);
      context.session.destroy();
    } else context.write('220 Ready.\r\n');
  });
}

interface Ran {
  results: Map<string, CaseResult>;
  summary: RunSummary;
  console: string;
}

async function run(server: ScriptedServer, ids: string[], jobs = 1): Promise<Ran> {
  const all = await loadSpecs([SPECS]);
  const cases = ids.map((id) => all.find((c) => c.id === id)).filter((c) => c !== undefined);
  let console = '';
  const { results, summary } = await runAll({
    cases,
    profile: fakeServerProfile(server, 'fake'),
    capabilities: new Set(['role:user']),
    jobs,
    bail: false,
    strict: false,
    expectedFailures: new ExpectedFailures(),
    settings: { replyTimeoutMs: 1500, transferTimeoutMs: 5000 },
    caseTimeoutMs: 20_000,
    reporters: [createConsoleReporter({ write: (text) => (console += `${text}\n`), verbose: false, color: false })],
  });
  return { results: new Map(results.map((r) => [r.info.id, r])), summary, console };
}

test('a server whose NLST wants an argument fails the NLST case once; the case that only used NLST is not checked and points at it', async () => {
  const server = await fakeServer([{ match: 'NLST', do: [act.reply('500 Syntax error: NLST requires an argument.')] }]);
  const { results, console } = await run(server, ['engine.nlst-names', 'engine.nlst-sees-upload']);
  assert.equal(results.get('engine.nlst-names')?.status, 'failed');
  const used = results.get('engine.nlst-sees-upload');
  assert.equal(used?.status, 'not-checked');
  assert.match(used?.reason ?? '', /500 Syntax error: NLST requires an argument/);
  assert.match(used?.reason ?? '', /needed to see the folder\); NLST itself is checked by engine\.nlst-names/);
  // Its story ("the server lost it") is never told: that is not what happened.
  assert.doesNotMatch(console, /the server lost it/);
  assert.match(console, /^0 passed, 1 failed, 1 not checked, 0 skipped$/m);
});

test('a scratch folder the server will not make leaves the case not checked, never failed', async () => {
  const server = await fakeServer([{ match: 'MKD', do: [act.reply('550 Permission denied.')] }]);
  const { results, summary } = await run(server, ['engine.nlst-sees-upload']);
  const result = results.get('engine.nlst-sees-upload');
  assert.equal(result?.status, 'not-checked');
  assert.match(result?.reason ?? '', /scratch MKD.*550 Permission denied.*needed to make the case's scratch folder/);
  assert.equal(summary.failed, 0);
  assert.equal(summary.notChecked, 1);
});

test('the same listing missing the file fails the case, with its story', async () => {
  const server = await fakeServer([{ match: 'NLST', do: [act.reply('150 Names.'), act.dataSend('other.txt\r\n'), act.reply('226 Done.')] }]);
  const { results, console } = await run(server, ['engine.nlst-sees-upload']);
  assert.equal(results.get('engine.nlst-sees-upload')?.status, 'failed');
  assert.match(console, /WARNING \[major, MUST-level\]: A file just uploaded was missing from NLST/);
  assert.match(console, /expected: data containing "seen.txt"/);
});

test('a check step that meets a closed connection is told as it happened, not with the case\'s story', async () => {
  const server = await fakeServer([{ match: 'NOOP', do: [act.close()] }]);
  const { results, console } = await run(server, ['engine.noop-leak-check']);
  const result = results.get('engine.noop-leak-check');
  assert.equal(result?.status, 'failed');
  assert.match(result?.message ?? '', /At step 2: send NOOP the server closed the connection where the check expected reply 200/);
  assert.doesNotMatch(console, /or a reply named a path on the server/);
});

test('a server path in a setup reply is noted, not counted against the case', async () => {
  const server = await fakeServer([{ match: 'PWD', do: [act.reply('257 "/srv/fake-root/alice" is your folder.')] }]);
  const { results } = await run(server, ['engine.noop-leak-check']);
  const result = results.get('engine.noop-leak-check');
  assert.equal(result?.status, 'passed', JSON.stringify(result?.failure));
  assert.ok(result?.transcript.some((entry) => entry.direction === 'note' && /a server path in a setup step's reply/.test(entry.text)));
});

test('a target that dies is named once: the case after which it stopped answering fails, the rest are not checked', async () => {
  const crash = { stop: (): void => {} };
  const server = await fakeServer([{ match: 'SITE CRASH', do: [act.run(() => crash.stop())] }]);
  crash.stop = () => void server.close();
  const { results, summary, console } = await run(server, ['engine.crash-on-site', 'engine.after-crash', 'engine.noop-leak-check']);
  assert.equal(results.get('engine.crash-on-site')?.status, 'failed');
  assert.match(results.get('engine.crash-on-site')?.failure?.detail ?? '', /stopped answering after this case/);
  for (const id of ['engine.after-crash', 'engine.noop-leak-check']) {
    assert.equal(results.get(id)?.status, 'not-checked', id);
    assert.equal(results.get(id)?.reason, 'the target stopped answering after engine.crash-on-site');
  }
  assert.equal(summary.failed, 1);
  assert.equal(summary.targetStoppedAfter, 'engine.crash-on-site');
  assert.match(console, /notice: the target stopped answering after engine\.crash-on-site/);
  // One WARNING for the whole story, not one per case.
  assert.equal(console.match(/WARNING/g)?.length, 1);
});

test('421s of ftp-check\'s own parallel sessions are waited out, and the run says which limit it met', async () => {
  const server = await fakeServer([], { greeting: [greetingWithinLimit(2)] });
  const ids = ['engine.nlst-names', 'engine.nlst-sees-upload', 'engine.noop-leak-check', 'engine.after-crash'];
  const { results, summary } = await run(server, ids, 4);
  for (const id of ids) assert.equal(results.get(id)?.status, 'passed', `${id}: ${results.get(id)?.reason ?? JSON.stringify(results.get(id)?.failure)}`);
  assert.ok(summary.notices.some((notice) => /refused a session while ftp-check held \d+/.test(notice)), summary.notices.join('\n'));
});

test('a case that needs more sessions than the target allows is not checked, saying so', async () => {
  const server = await fakeServer([], { greeting: [greetingWithinLimit(2)] });
  // The first meets the limit (and waits in vain: its own sessions hold the slots); the second is not run at all.
  const { results } = await run(server, ['engine.three-sessions', 'engine.three-sessions-too'], 1);
  assert.equal(results.get('engine.three-sessions')?.status, 'not-checked');
  assert.match(results.get('engine.three-sessions')?.reason ?? '', /421 Too many connections/);
  assert.equal(results.get('engine.three-sessions-too')?.status, 'not-checked');
  assert.equal(results.get('engine.three-sessions-too')?.reason, 'the case needs 3 sessions at once, and the target allowed about 2 (it refused one more as too many)');
});

test('an optional command the server lacks (MKD: 502) is a skip, not a failure; a mandatory one (NLST) fails its case', async () => {
  const server = await fakeServer([
    // Only the case's own MKD: a server without MKD at all leaves every case that needs a scratch folder skipped.
    { match: 'MKD made-here', do: [act.reply('502 MKD not implemented.')] },
    { match: 'NLST', do: [act.reply('502 NLST not implemented.')] },
  ]);
  const { results } = await run(server, ['engine.mkd-makes-folder', 'engine.nlst-names']);
  assert.equal(results.get('engine.mkd-makes-folder')?.status, 'skipped');
  assert.match(results.get('engine.mkd-makes-folder')?.reason ?? '', /does not implement MKD \(it answered 502\); MKD is optional \(IANA FTP commands registry \(RFC 5797\)/);
  assert.equal(results.get('engine.nlst-names')?.status, 'failed');
});

test('FEAT: 502 means no extensions (no failure); a FEAT that wants a login first is asked again after it', async () => {
  const none = await fakeServer([{ match: 'FEAT', do: [act.reply('502 FEAT not implemented.')] }]);
  const probedNone = await probeTarget(fakeServerProfile(none, 'no-feat'));
  assert.ok(probedNone.capabilities.has('role:user'));
  assert.ok(![...probedNone.capabilities].some((name) => name === 'MLST' || name === 'EPSV'));
  let loggedIn = false;
  const late = await fakeServer([
    { match: 'PASS', do: [act.run((context) => ((loggedIn = true), context.write('230 In.\r\n')))] },
    { match: 'FEAT', do: [act.run((context) => context.write(loggedIn ? '211-Features:\r\n MLST type*;size*;\r\n EPSV\r\n211 End\r\n' : '530 Log in first.\r\n'))] },
  ]);
  const probedLate = await probeTarget(fakeServerProfile(late, 'late-feat'));
  assert.ok(probedLate.capabilities.has('MLST'), [...probedLate.capabilities].join(' '));
  assert.ok(probedLate.capabilities.has('EPSV'));
});

test('a target that stopped answering fails the run even when no case could be blamed (its culprit ran beside others)', () => {
  const quiet: RunSummary = { passed: 3, failed: 0, skipped: 0, expectedFailures: 0, warned: 0, notChecked: 2, durationMs: 1, target: 'fake', notices: [] };
  assert.equal(exitCodeOf(quiet, false), 0);
  assert.equal(exitCodeOf({ ...quiet, targetStoppedAfter: 'engine.crash-on-site' }, false), 1);
  assert.equal(exitCodeOf(quiet, true), 1, '--strict: a case not checked fails the run');
});
