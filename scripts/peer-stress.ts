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
import { PEER_NAMES, peerAvailability, startPeer, type PeerName } from '../harness/src/peers/peers.ts';

const [name, ...rest] = process.argv.slice(2);
if (!PEER_NAMES.includes(name as PeerName)) {
  process.stderr.write(`usage: peer-stress.ts <${PEER_NAMES.join('|')}> [ftp-check stress options]\n`);
  process.exit(2);
}
const availability = peerAvailability(name as PeerName);
if (!availability.available) {
  process.stderr.write(`${availability.reason}\n`);
  process.exit(2);
}
const peer = await startPeer(name as PeerName);
const profileFile = join(tmpdir(), `ftp-check-stress-${name}-${process.pid}.yaml`);
const accountsFile = join(tmpdir(), `ftp-check-stress-${name}-${process.pid}.accounts`);
let code = 2;
try {
  const { user, user2, anonymous } = peer.accounts;
  await writeFile(
    profileFile,
    stringify({
      name: `${name} on ${peer.host}:${peer.port}`,
      target: `${peer.host}:${peer.port}`,
      accounts: { user: { name: user.user, password: user.password }, user2: { name: user2.user, password: user2.password }, anonymous: { name: anonymous.user, password: anonymous.password } },
    }),
  );
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
