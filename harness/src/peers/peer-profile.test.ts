import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PEER_ACCOUNTS, type RunningPeer } from './peers.ts';
import { peerProfile } from './peer-profile.ts';

function runningPeer(name: RunningPeer['name']): RunningPeer {
  return {
    name,
    host: '127.0.0.1',
    port: 2121,
    root: '/tmp/ftp-check-demo-root',
    pid: 1,
    passivePorts: { min: 20000, max: 20255 },
    accounts: PEER_ACCOUNTS,
    stop: async () => undefined,
    logs: async () => '',
    exitedEarly: () => undefined,
  };
}

test('a peer without FEAT gets the extensions its HELP lists; the others only what they announce', () => {
  const ftpdSsl = peerProfile(runningPeer('ftpd-ssl'));
  assert.deepEqual(ftpdSsl.capabilities, { add: ['EPRT', 'EPSV', 'SIZE', 'MDTM', 'REST STREAM'] });
  for (const name of ['vsftpd', 'nodeftpd'] as const) assert.equal(peerProfile(runningPeer(name)).capabilities, undefined, name);
});

test('the profile names the temp root as a server path and carries the three accounts', () => {
  const profile = peerProfile(runningPeer('nodeftpd'));
  assert.deepEqual(profile.serverPaths, ['/tmp/ftp-check-demo-root']);
  assert.equal(profile.target, '127.0.0.1:2121');
  assert.deepEqual(profile.accounts, {
    user: { name: 'ftpcheck1', password: 'ftp-check-pass-1' },
    user2: { name: 'ftpcheck2', password: 'ftp-check-pass-2' },
    anonymous: { name: 'anonymous', password: 'ftp-check@example.invalid' },
  });
});
