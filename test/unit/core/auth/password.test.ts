import assert from 'node:assert/strict';
import { test } from 'node:test';
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
