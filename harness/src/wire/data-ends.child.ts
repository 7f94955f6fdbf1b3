// Run as a child process by socket-close.test.ts: opens data connections against a
// scripted server and leaves each in another end state (the peer's FIN first, its RST
// first, both at once, half-open with our upload stuck, TLS and clear), then drops or
// closes them the way the harness does. It never calls process.exit: the test asserts
// that the process ends by itself, which it cannot while a socket handle leaks.

import { act, startScriptedServer, type ScriptRule } from '../../../fixtures/fake-servers/scripted-server.ts';
import { ControlConnection } from './control-connection.ts';
import { openDataChannel, type DataChannel } from './data-channel.ts';

const BIG_UPLOAD = Buffer.alloc(16 * 1024 * 1024, 0x61); // more than loopback buffers hold
const WAIT_MS = 400;

interface Scenario {
  name: string;
  /** What the server does with the data connection when the command line arrives. */
  server: ScriptRule['do'];
  /** What ftp-check does meanwhile, then how it lets the channel go. */
  client: (channel: DataChannel) => Promise<void>;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sendStuck = async (channel: DataChannel): Promise<void> => {
  await channel.sendAll(BIG_UPLOAD, WAIT_MS);
};

const scenarios: Scenario[] = [
  { name: 'peer FIN first, then our abort', server: [act.dataSend('x'.repeat(1000))], client: async (c) => { await c.receiveAll(WAIT_MS); c.abort(); } },
  { name: 'peer RST first, then our abort', server: [act.dataSend('x'.repeat(1000), { end: false }), act.dataReset()], client: async (c) => { await c.receiveAll(WAIT_MS); c.abort(); } },
  { name: 'peer FIN and our abort at once', server: [act.dataEnd()], client: async (c) => { await c.receiveAll(WAIT_MS); c.abort(); } },
  { name: 'peer FIN, our close then abort', server: [act.dataEnd()], client: async (c) => { await c.receiveAll(WAIT_MS); void c.close(); c.abort(); } },
  { name: 'our close then abort on an open connection', server: [act.delay(WAIT_MS)], client: async (c) => { await delay(50); void c.close(); c.abort(); } },
  { name: 'half-open: peer FIN while our upload is stuck, then abort', server: [act.dataEnd()], client: async (c) => { await sendStuck(c); c.abort(); } },
  { name: 'peer never reads our upload, then abort', server: [act.delay(2 * WAIT_MS)], client: async (c) => { await sendStuck(c); c.abort(); } },
  { name: 'peer never reads our upload, then close', server: [act.delay(2 * WAIT_MS)], client: async (c) => { await sendStuck(c); await c.close(); } },
  { name: 'peer RST while our upload is stuck, then abort', server: [act.delay(100), act.dataReset()], client: async (c) => { await sendStuck(c); c.abort(); } },
];

async function runOne(scenario: Scenario, protect: boolean): Promise<void> {
  const rules: ScriptRule[] = [
    { match: 'AUTH', do: [act.reply('234 AUTH TLS ok.'), act.startTls()] },
    { match: 'PBSZ', do: [act.reply('200 PBSZ=0')] },
    { match: 'PROT', do: [act.reply('200 Data protected.'), act.protectData(true)] },
    { match: 'PASV', do: [act.pasv()] },
    { match: 'GO', do: [act.reply('150 Here it comes.'), ...scenario.server, act.reply('226 Done.')] },
  ];
  const server = await startScriptedServer({ rules, waitMs: 3000 });
  const control = await ControlConnection.connect({ host: server.host, port: server.port, timeoutMs: 3000 });
  try {
    await control.readReply();
    if (protect) {
      await control.command('AUTH TLS');
      await control.upgradeToTls({ rejectUnauthorized: false });
      await control.command('PBSZ 0');
      await control.command('PROT P');
    }
    const opened = await openDataChannel(control, 'pasv', { timeoutMs: 3000, tls: protect });
    if ('error' in opened) throw new Error(`${scenario.name}: ${opened.error}`);
    await control.sendLine('GO');
    opened.channel.startTls(); // as the transfer does on the 150
    await scenario.client(opened.channel);
    await delay(50);
  } finally {
    // The peer goes away last: a leaked handle would now spin on its closed socket.
    await server.close();
    await control.close();
  }
}

const only = process.argv[2]; // a part of a scenario's name, to look at one alone
for (const protect of [false, true]) {
  for (const scenario of scenarios.filter((s) => only === undefined || `${protect ? 'tls' : 'clear'}: ${s.name}`.includes(only))) {
    await runOne(scenario, protect);
    process.stdout.write(`ok ${protect ? 'tls' : 'clear'}: ${scenario.name}\n`);
  }
}
process.stdout.write('all scenarios done\n');
