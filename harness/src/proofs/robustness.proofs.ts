/**
 * Faulty targets that the robustness suite's cases must catch: ftp-ref with
 * test-only faults (reference-server/faults/robustness.ts, and the
 * concurrency suite's slots-never-released), ftp-ref with a small passive port
 * range that a leak exhausts, and a scripted fake server that hangs on input it
 * cannot handle.
 */
import { scratchDialogue } from '../../../fixtures/fake-servers/scratch-dialogue.ts';
import { startScriptedServer, act, type ScriptRule } from '../../../fixtures/fake-servers/scripted-server.ts';
import { startTempServer } from '../../../reference-server/src/temp-server.ts';
import { faultyVariant, type FaultName } from '../../../reference-server/faults/index.ts';
import type { TargetProfile } from '../target/profile.ts';
import type { Proof } from './proof.ts';

type Target = { profile: TargetProfile; stop(): Promise<void> };

const USER = { name: 'alice', password: 'alice-secret-1' };

function profileFor(host: string, port: number, name: string, serverPaths: string[]): TargetProfile {
  return { host, port, tls: false, accounts: { user: USER }, capabilities: { add: [], remove: [] }, limits: {}, serverPaths, name };
}

/** ftp-ref whose passive ports come from a range of eight: a server that leaks them runs dry within one case. */
function ftpRefWithSmallPassiveRange(faults: FaultName[]) {
  return async (): Promise<Target> => {
    const first = 50000 + Math.floor(Math.random() * 1000) * 8;
    const server = await startTempServer({ variant: faultyVariant(faults), settings: { host: '127.0.0.1', pasvPorts: `${first}-${first + 7}` }, accounts: [USER] });
    return { profile: profileFor(server.host, server.port, `ftp-ref, passive ports ${first}-${first + 7}`, [server.dataDir]), stop: () => server.stop() };
  };
}

/** Enough of a server for a case to log in and work in its scratch folder; `rules` come first. */
function hangingServer(name: string, rules: ScriptRule[]) {
  return async (): Promise<Target> => {
    const server = await startScriptedServer({ rules: [...rules, ...scratchDialogue()] });
    return { profile: profileFor(server.host, server.port, name, ['/srv/fake-root']), stop: () => server.close() };
  };
}

export const ROBUSTNESS_PROOFS: Proof[] = [
  {
    title: 'a command line over the cap crashes the server',
    faults: ['crash-on-long-line'],
    mustFail: ['robustness.line-100kb', 'robustness.line-1mb', 'robustness.long-path-argument', 'robustness.telnet-iac-flood'],
  },
  {
    title: 'a scripted server that stops answering after an over-long line',
    start: hangingServer('a server that hangs on long lines', [{ match: (line) => line.length > 4096, do: [act.hang()] }]),
    mustFail: ['robustness.line-100kb', 'robustness.long-path-argument'],
  },
  {
    title: 'refused lines are answered twice',
    faults: ['refusals-answered-twice'],
    mustFail: [
      'robustness.binary-garbage',
      'robustness.nul-in-command',
      'robustness.unknown-commands',
      'robustness.empty-command',
      'robustness.missing-arguments',
      'robustness.extra-arguments',
      'robustness.pipelined-errors-in-order',
    ],
  },
  { title: 'only CR LF ends a line', faults: ['crlf-only-line-ends'], mustFail: ['robustness.bare-lf-line-endings'] },
  { title: 'Telnet IAC sequences taken as command bytes', faults: ['no-telnet-handling'], mustFail: ['robustness.telnet-ip-dm-before-abor'] },
  {
    title: 'one command read per packet',
    faults: ['one-command-per-packet'],
    mustFail: ['robustness.pipelined-commands-in-order', 'robustness.quit-mid-pipeline'],
  },
  {
    title: 'a reset data connection crashes the server',
    faults: ['crash-on-data-reset'],
    mustFail: ['robustness.abrupt-disconnect-mid-upload', 'robustness.abrupt-disconnect-mid-download'],
  },
  { title: 'transfers cut after the data timeout in all', faults: ['transfer-deadline'], mustFail: ['robustness.slow-reader'] },
  { title: 'connection slots never released', faults: ['slots-never-released'], mustFail: ['robustness.hundreds-of-connections'] },
  { title: 'unused passive ports never closed', faults: ['passive-port-never-closed'], mustFail: ['robustness.unused-passive-port-closed'] },
  {
    title: 'unused passive ports never closed, in a range of eight ports',
    start: ftpRefWithSmallPassiveRange(['passive-port-never-closed']),
    mustFail: ['robustness.many-pasv-in-a-row'],
  },
  {
    title: 'PORT and EPRT accept any address and port',
    faults: ['accept-port-any-address'],
    mustFail: [
      'robustness.port-to-another-host-refused',
      'robustness.eprt-to-another-host-refused',
      'robustness.port-to-privileged-port-refused',
      'robustness.eprt-to-privileged-port-refused',
    ],
  },
  { title: 'passive ports accept any host', faults: ['accept-foreign-passive'], mustFail: ['robustness.passive-port-from-another-host'] },
  { title: 'no idle timeout', faults: ['no-idle-timeout'], mustFail: ['robustness.idle-timeout-421'] },
];
