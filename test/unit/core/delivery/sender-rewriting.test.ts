import assert from 'node:assert/strict';
import { test } from 'node:test';
import { srsForward, srsReverse } from '../../../../core/delivery/sender-rewriting.js';

const secret = 'unit-test-secret';
const now = new Date('2026-11-30T12:00:00Z');

test('SRS0 rewrites a sender into our domain and reverses with the same secret only', () => {
  const rewritten = srsForward('Alice.Smith@Sender.test', { secret, forwardingDomain: 'fwd.example', now });
  assert.match(rewritten, /^SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=Sender\.test=Alice\.Smith@fwd\.example$/);
  assert.equal(srsReverse(rewritten, { secret, now }), 'Alice.Smith@Sender.test');
  assert.equal(srsReverse(rewritten, { secret: 'another secret', now }), null, 'a forged hash is refused');
  assert.equal(srsReverse(rewritten.replace('=Sender.test=', '=evil.test='), { secret, now }), null, 'the hash covers the address');
  assert.equal(srsReverse('plain@fwd.example', { secret, now }), null);
});

test('an SRS address expires after three weeks, so old bounces cannot be replayed through us', () => {
  const rewritten = srsForward('a@sender.test', { secret, forwardingDomain: 'fwd.example', now });
  assert.equal(srsReverse(rewritten, { secret, now: new Date(now.getTime() + 20 * 86_400_000) }), 'a@sender.test');
  assert.equal(srsReverse(rewritten, { secret, now: new Date(now.getTime() + 30 * 86_400_000) }), null);
});

test('the null sender stays null; an SRS0 address from another forwarder becomes SRS1, ours stays as it is', () => {
  assert.equal(srsForward('', { secret, forwardingDomain: 'fwd.example', now }), '');
  const first = srsForward('a@sender.test', { secret: 'their secret', forwardingDomain: 'first.example', now });
  const second = srsForward(first, { secret, forwardingDomain: 'fwd.example', now });
  assert.match(second, /^SRS1=[A-Za-z0-9+/]{4}=first\.example==[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=sender\.test=a@fwd\.example$/);
  const third = srsForward(second, { secret, forwardingDomain: 'fwd.example', now });
  assert.equal(third, second, 'already ours: not rewritten again');
});
