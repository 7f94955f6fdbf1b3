import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifiedLogins } from './verified-logins.ts';

test('a verified login is recalled only with the same password and stored hash, until it expires', () => {
  const logins = new VerifiedLogins(1000, 2);
  logins.remember('alice', 'secret', 'hash-1', 0);
  assert.equal(logins.recall('alice', 'secret', 'hash-1', 500), true);
  assert.equal(logins.recall('alice', 'Secret', 'hash-1', 500), false, 'another password');
  assert.equal(logins.recall('alice', 'secret', 'hash-2', 500), false, 'the password was changed');
  assert.equal(logins.recall('alice', 'secret', 'hash-1', 500), false, 'a changed hash ended the entry');
  logins.remember('alice', 'secret', 'hash-1', 0);
  assert.equal(logins.recall('alice', 'secret', 'hash-1', 1000), false, 'expired');
  assert.equal(logins.recall('bob', 'secret', 'hash-1', 0), false, 'never verified');
});

test('the memory is bounded and forgets on request', () => {
  const logins = new VerifiedLogins(60_000, 2);
  logins.remember('a', 'p', 'h', 0);
  logins.remember('b', 'p', 'h', 0);
  logins.remember('c', 'p', 'h', 0);
  assert.equal(logins.recall('a', 'p', 'h', 1), false, 'the oldest went first');
  assert.equal(logins.recall('c', 'p', 'h', 1), true);
  logins.forget('c');
  assert.equal(logins.recall('c', 'p', 'h', 1), false);
});
