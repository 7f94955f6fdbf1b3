import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScryptGate } from './scrypt-gate.ts';
import { hashPassword } from './password-hash.ts';

test('identical checks in flight share one scrypt; answers stay right', async () => {
  const stored = await hashPassword('right', { N: 1024, r: 8, p: 1 });
  const gate = new ScryptGate(1);
  const same = [gate.verify('a', 'right', stored), gate.verify('a', 'right', stored)];
  assert.equal(same[0], same[1], 'one promise for both');
  assert.deepEqual(await Promise.all(same), [true, true]);
  assert.deepEqual(await Promise.all([gate.verify('a', 'wrong', stored), gate.verify('a', 'right', stored)]), [false, true]);
});
