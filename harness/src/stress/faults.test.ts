/**
 * Servers that go wrong, scripted (fixtures/fake-servers): one that corrupts the
 * bytes it serves, one that refuses with 421, one that hangs, one that resets, and
 * a port nobody listens on. Each is reported under its own kind, with a transcript;
 * corruption alone fails the run without any threshold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { act, startScriptedServer, type ScriptRule } from '../../../fixtures/fake-servers/scripted-server.ts';
import type { TargetProfile } from '../target/profile.ts';
import { resolveOptions, type StressFlags } from './options.ts';
import { builtInScenario } from './scenarios.ts';
import { runStress } from './run.ts';
import { digestOf } from './integrity.ts';
import type { StressResult } from './result.ts';
import { stressExitCode } from '../cli/stress-command.ts';

const GOOD = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7) % 256));
const BAD = Buffer.from(GOOD);
BAD[31_337] = BAD[31_337]! ^ 0x01; // one bit flipped: same length, different content

const LOGIN: ScriptRule[] = [
  { match: 'USER', do: [act.reply('331 Password required.')] },
  { match: 'PASS', do: [act.reply('230 Logged in.')] },
  { match: 'TYPE', do: [act.reply('200 Binary.')] },
  { match: 'QUIT', do: [act.reply('221 Bye.'), act.close()] },
];

function profileFor(port: number): TargetProfile {
  return { host: '127.0.0.1', port, tls: false, accounts: { user: { name: 'u', password: 'p' } }, capabilities: { add: [], remove: [] }, limits: {}, serverPaths: [], name: `fake 127.0.0.1:${port}` };
}

async function stressAgainst(port: number, flags: StressFlags): Promise<StressResult> {
  const options = resolveOptions({ timeout: 0.5, ...flags });
  const scenario = builtInScenario(options.scenario as 'connect');
  const profile = profileFor(port);
  return runStress({ options, scenario, profile, accounts: scenario.needsAccount ? [profile.accounts.user!] : [] });
}

const kinds = (result: StressResult) => Object.fromEntries([...result.metrics.errors.values()].map((g) => [g.key, g.count]));

test('a server that flips one bit is caught byte for byte: corrupt, named offset, exit 1', async () => {
  let retrieved = 0;
  const server = await startScriptedServer({
    rules: [
      ...LOGIN,
      { match: 'SIZE', do: [act.reply(`213 ${GOOD.length}`)] },
      { match: 'PASV', do: [act.pasv()] },
      // the reference read at setup is right; every later download is corrupt
      { match: (line) => /^RETR /.test(line) && retrieved++ === 0, do: [act.reply('150 Here.'), act.dataSend(GOOD), act.reply('226 Done.')] },
      { match: 'RETR', do: [act.reply('150 Here.'), act.dataSend(BAD), act.reply('226 Done.')] },
    ],
  });
  try {
    const result = await stressAgainst(server.port, { scenario: 'download', clients: 1, amount: 2, remoteFile: 'data.bin' });
    assert.deepEqual(kinds(result), { corrupt: 2 });
    assert.equal(result.metrics.op('RETR').count, 0, 'a corrupt transfer is not a success');
    const example = result.metrics.errors.get('corrupt')!.examples[0]!;
    assert.match(example.message, /byte 31337 differs/);
    assert.ok(example.transcript.some((line) => line.includes('RETR data.bin')), example.transcript.join('\n'));
    assert.equal(stressExitCode(result, []), 1, 'corruption fails the run even without thresholds');
  } finally {
    await server.close();
  }
});

test('corruption is caught by digest too, when only the digest is known', async () => {
  const server = await startScriptedServer({
    rules: [...LOGIN, { match: 'SIZE', do: [act.reply('502 No SIZE here.')] }, { match: 'PASV', do: [act.pasv()] }, { match: 'RETR', do: [act.reply('150 Here.'), act.dataSend(BAD), act.reply('226 Done.')] }],
  });
  try {
    const result = await stressAgainst(server.port, { scenario: 'download', clients: 1, amount: 2, remoteFile: 'data.bin', remoteDigest: `sha256:${digestOf(GOOD, 'sha256').hex}` });
    assert.deepEqual(kinds(result), { corrupt: 2 });
    assert.match(result.metrics.errors.get('corrupt')!.examples[0]!.message, /sha256 [0-9a-f]{64} where [0-9a-f]{64} was expected/);
  } finally {
    await server.close();
  }
});

test('a server that refuses with 421 is reported as 421, not as a success; the exit code stays 0 without thresholds', async () => {
  const server = await startScriptedServer({ greeting: [act.reply('421 Too many connections, try later.'), act.close()] });
  try {
    const result = await stressAgainst(server.port, { scenario: 'connect', clients: 2, amount: 4 });
    assert.deepEqual(kinds(result), { '421': 4 });
    assert.equal(result.metrics.sessions, 0);
    assert.match(result.metrics.errors.get('421')!.examples[0]!.transcript.join('\n'), /< 421 Too many connections/);
    assert.equal(stressExitCode(result, []), 0);
  } finally {
    await server.close();
  }
});

test('a server that hangs is reported as timeouts, and the run still ends by itself', async () => {
  const server = await startScriptedServer({ rules: [{ match: 'USER', do: [act.hang()] }] });
  try {
    const result = await stressAgainst(server.port, { scenario: 'login', clients: 2, amount: 2 });
    assert.deepEqual(kinds(result), { timeout: 2 });
    assert.match(result.metrics.errors.get('timeout')!.examples[0]!.message, /login: no reply within 500 ms/);
  } finally {
    await server.close();
  }
});

test('a server that resets, and a port nobody listens on, are told apart', async () => {
  const server = await startScriptedServer({ rules: [{ match: 'USER', do: [act.reset()] }] });
  try {
    const result = await stressAgainst(server.port, { scenario: 'login', clients: 1, amount: 2 });
    assert.deepEqual(Object.keys(kinds(result)), ['reset']);
  } finally {
    await server.close();
  }
  const closed = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
  const refused = await stressAgainst(closed, { scenario: 'connect', clients: 1, amount: 3 });
  assert.deepEqual(kinds(refused), { refused: 3 });
});
