import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeAddress, parseAddress } from '../../../../core/mail/address.js';

test('addresses are split and folded to lower case', () => {
  assert.deepEqual(parseAddress('Alice.Smith@Example.COM'), { localPart: 'alice.smith', domain: 'example.com' });
  assert.equal(normalizeAddress(' bob@example.test. '), 'bob@example.test');
  assert.equal(normalizeAddress('田中@例え.jp'), '田中@例え.jp');
});

test('malformed addresses are refused', () => {
  for (const bad of ['', 'no-at-sign', '@example.com', 'user@', 'a b@example.com', 'user@exa mple.com', 'user@..com', `${'x'.repeat(250)}@example.com`]) {
    assert.equal(parseAddress(bad), null, bad);
  }
});
