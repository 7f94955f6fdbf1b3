/**
 * `ftp-check stress` against one peer server started on loopback, in one command:
 *
 *   node --import tsx scripts/peer-stress.ts <vsftpd|pure-ftpd|proftpd|pyftpdlib|ftp-srv> [ftp-check stress options]
 *
 * e.g. `... peer-stress.ts vsftpd --clients 50 --duration 20s`. The peer gets a
 * fresh root and the accounts of harness/src/peers/accounts.ts; clients log in as
 * its two named users in turn. The peer is stopped (and its root removed) after.
 */
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { peerProfile, startPeerNamed } from '../harness/src/peers/peer-profile.ts';

const [name, ...rest] = process.argv.slice(2);
const peer = await startPeerNamed(name, 'peer-stress.ts', '[ftp-check stress options]');
const profileFile = join(tmpdir(), `ftp-check-stress-${name}-${process.pid}.yaml`);
const accountsFile = join(tmpdir(), `ftp-check-stress-${name}-${process.pid}.accounts`);
let code = 2;
try {
  const { user, user2 } = peer.accounts;
  await writeFile(profileFile, stringify(peerProfile(peer)));
  const ownAccounts = rest.some((arg) => arg === '--accounts' || arg === '--users' || arg.startsWith('--accounts=') || arg.startsWith('--users=')) ? [] : ['--accounts', accountsFile];
  await writeFile(accountsFile, `${user.user}:${user.password}\n${user2.user}:${user2.password}\n`);
  const result = await execa(process.execPath, ['bin/ftp-check.js', 'stress', '--profile', profileFile, ...ownAccounts, ...rest], { stdio: 'inherit', reject: false });
  code = result.exitCode ?? 2;
} finally {
  await peer.stop();
  await rm(profileFile, { force: true });
  await rm(accountsFile, { force: true });
}
process.exit(code);
