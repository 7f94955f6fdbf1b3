import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingPeerOutcome } from './require-peer.ts';

test('a missing peer is a visible skip outside CI', () => {
  assert.deepEqual(missingPeerOutcome('vsftpd unavailable: /usr/sbin/vsftpd not found', {}), {
    action: 'skip',
    message: 'vsftpd unavailable: /usr/sbin/vsftpd not found',
  });
  assert.equal(missingPeerOutcome('x', { CI: 'false' }).action, 'skip');
});

test('a missing peer fails the test in CI, with the reason', () => {
  const outcome = missingPeerOutcome('proftpd unavailable: not unpacked', { CI: 'true' });
  assert.equal(outcome.action, 'fail');
  assert.match(outcome.message, /proftpd unavailable: not unpacked/);
  assert.match(outcome.message, /CI=true/);
});
