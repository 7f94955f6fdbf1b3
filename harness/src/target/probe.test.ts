import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { act, startScriptedServer, type ScriptedServer } from '../../../fixtures/fake-servers/scripted-server.ts';
import { probeTarget } from './probe.ts';
import { TargetError, type TargetProfile } from './profile.ts';

const servers: ScriptedServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function slowGreeting(delayMs: number): Promise<TargetProfile> {
  const server = await startScriptedServer({
    greeting: [act.delay(delayMs), act.reply('220 Slow but ready.')],
    rules: [
      { match: 'FEAT', do: [act.reply('211-Features:', ' EPSV', '211 End')] },
      { match: 'SYST', do: [act.reply('215 UNIX Type: L8')] },
      { match: 'USER', do: [act.reply('331 Password?')] },
      { match: 'PASS', do: [act.reply('230 In.')] },
    ],
  });
  servers.push(server);
  return { host: server.host, port: server.port, tls: false, accounts: { user: { name: 'u', password: 'p' } }, capabilities: { add: [], remove: [] }, limits: {}, serverPaths: [], name: 'slow' };
}

// The greeting waits as long as the caller's timeout allows, not a fixed 5 s of its own.
test('the probe waits for a slow greeting as long as its timeout says', async () => {
  const probed = await probeTarget(await slowGreeting(700), { timeoutMs: 3000 });
  assert.ok(probed.capabilities.has('EPSV'));
  assert.ok(probed.capabilities.has('role:user'));
});

test('the probe gives up on the greeting after its timeout, with a target error naming it', async () => {
  await assert.rejects(probeTarget(await slowGreeting(2000), { timeoutMs: 300 }), (error: unknown) => error instanceof TargetError && /no greeting within 300 ms/.test(error.message));
});
