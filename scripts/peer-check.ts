/**
 * Runs ftp-check against one peer server started on loopback, in one command:
 *
 *   node --import tsx scripts/peer-check.ts <vsftpd|pure-ftpd|proftpd|pyftpdlib|ftp-srv|ftpd-ssl|nodeftpd> [ftp-check run options]
 *
 * e.g. `... peer-check.ts vsftpd --suite jail --junit`. Reports go to reports/<peer>/.
 * The peer gets a fresh root, the accounts of harness/src/peers/accounts.ts, and
 * a profile naming its root as a server path that must never leak.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { peerProfile, startPeerNamed } from '../harness/src/peers/peer-profile.ts';

const [name, ...rest] = process.argv.slice(2);
const peer = await startPeerNamed(name, 'peer-check.ts', '[ftp-check run options]');
let code = 2;
const profileFile = join(tmpdir(), `ftp-check-${name}-${process.pid}.yaml`);
try {
  const profile = peerProfile(peer);
  await writeFile(profileFile, stringify(profile));
  const ownReports = rest.includes('--reports') ? [] : ['--reports', join('reports', name as string)];
  if (ownReports.length > 0) await mkdir(ownReports[1] as string, { recursive: true });
  const result = await execa(process.execPath, ['bin/ftp-check.js', 'run', '--profile', profileFile, ...ownReports, ...rest], { stdio: 'inherit', reject: false });
  code = result.exitCode ?? 2;
} finally {
  await peer.stop();
  await rm(profileFile, { force: true });
}
// A peer that died mid-run explains every later failure: say so, with its own last words.
const exited = peer.exitedEarly();
if (exited !== undefined) {
  process.stderr.write(`peer-check: ${name} exited during the run (${exited}); the end of each of its logs:\n${logTails(await peer.logs(), 1500)}\n`);
}

/** The last `chars` of every "==> file <==" section: a crash trace in stderr.log is not buried by stdout.log. */
function logTails(logs: string, chars: number): string {
  return logs
    .split(/^(?===> .+ <==$)/m)
    .map((section) => {
      const newline = section.indexOf('\n');
      const [header, body] = newline === -1 ? [section, ''] : [section.slice(0, newline), section.slice(newline + 1)];
      return `${header}\n${body.length > chars ? `...${body.slice(-chars)}` : body}`;
    })
    .join('\n');
}
process.exit(code);
