import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthThrottle } from '../../../../core/auth/auth-throttle.js';
import { hashPassword, passwordWeakness, verifyPassword } from '../../../../core/auth/password.js';

test('a hashed password verifies, a wrong one does not, and the hash hides the password', async () => {
  const hash = await hashPassword('correct horse battery');
  assert.match(hash, /^scrypt\$32768\$8\$1\$/);
  assert.ok(!hash.includes('correct horse'));
  assert.equal(await verifyPassword('correct horse battery', hash), true);
  assert.equal(await verifyPassword('correct horse batterx', hash), false);
  assert.equal(await verifyPassword('anything', 'not-a-hash'), false);
});

test('two hashes of one password differ (random salt)', async () => {
  assert.notEqual(await hashPassword('same password 1'), await hashPassword('same password 1'));
});

test('weak passwords are named', () => {
  assert.equal(passwordWeakness('short'), 'must be at least 10 characters long');
  assert.equal(passwordWeakness('aaaaaaaaaaaa'), 'must not be one repeated character');
  assert.equal(passwordWeakness('a sound passphrase'), null);
});

test('auth throttle blocks an IP or user past the limit and forgets after the window', () => {
  let now = 0;
  const throttle = new AuthThrottle({ maxFailuresPerIp: 3, maxFailuresPerUser: 2, windowMs: 1000, now: () => now });
  throttle.recordFailure('192.0.2.1', 'a@example.test');
  assert.equal(throttle.isBlocked('192.0.2.1', 'a@example.test'), false);
  throttle.recordFailure('192.0.2.2', 'a@example.test');
  assert.equal(throttle.isBlocked('192.0.2.9', 'A@example.test'), true, 'user blocked from any IP');
  assert.equal(throttle.isBlocked('192.0.2.9', 'b@example.test'), false);
  throttle.recordFailure('192.0.2.1', null);
  throttle.recordFailure('192.0.2.1', null);
  assert.equal(throttle.isBlocked('192.0.2.1', 'c@example.test'), true, 'IP blocked for any user');
  now = 1001;
  assert.equal(throttle.isBlocked('192.0.2.1', 'a@example.test'), false);
});
