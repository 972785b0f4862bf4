import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAttemptCounter } from '../../../../core/adapters/local/memory-attempt-counter.js';
import { AuthThrottle } from '../../../../core/auth/auth-throttle.js';
import type { AttemptCounter } from '../../../../core/ports/attempt-counter.js';

/** The memory adapter, counting how often the throttle reads it. */
function countingCounter(): AttemptCounter & { reads: number } {
  const inner = new MemoryAttemptCounter();
  return {
    reads: 0,
    recordFailure: (key, windowSeconds, atMs) => inner.recordFailure(key, windowSeconds, atMs),
    recentFailures(key, windowSeconds, atMs) {
      this.reads += 1;
      return inner.recentFailures(key, windowSeconds, atMs);
    },
  };
}

test('auth throttle blocks an IP or user past the limit and forgets after the window', async () => {
  let now = 1_000_000;
  const throttle = new AuthThrottle(new MemoryAttemptCounter(), { maxFailuresPerIp: 3, maxFailuresPerUser: 2, windowMs: 1000, now: () => now });
  await throttle.recordFailure('192.0.2.1', 'a@example.test');
  assert.equal(await throttle.isBlocked('192.0.2.1', 'a@example.test'), false);
  await throttle.recordFailure('192.0.2.2', 'a@example.test');
  assert.equal(await throttle.isBlocked('192.0.2.9', 'A@example.test'), true, 'user blocked from any IP');
  assert.equal(await throttle.isBlocked('192.0.2.9', 'b@example.test'), false);
  await throttle.recordFailure('192.0.2.1', null);
  await throttle.recordFailure('192.0.2.1', null);
  assert.equal(await throttle.isBlocked('192.0.2.1', 'c@example.test'), true, 'IP blocked for any user');
  now += 2001;
  assert.equal(await throttle.isBlocked('192.0.2.1', 'a@example.test'), false);
});

test('failures count over the current and the previous window, whatever the window edge', async () => {
  let now = 10_000_900; // 0.9 s into a one-second window
  const throttle = new AuthThrottle(new MemoryAttemptCounter(), { maxFailuresPerIp: 4, maxFailuresPerUser: 4, windowMs: 1000, now: () => now });
  for (let i = 0; i < 3; i += 1) await throttle.recordFailure('192.0.2.1', null);
  now += 200; // just past the edge: the three still count
  assert.equal(await throttle.isBlocked('192.0.2.1', null), false, '3 < 4');
  await throttle.recordFailure('192.0.2.1', null);
  assert.equal(await throttle.isBlocked('192.0.2.1', null), true, '3 + 1 ≥ 4 across the edge');
  now += 1000;
  assert.equal(await throttle.isBlocked('192.0.2.1', null), false, 'two windows on, the first three are gone (1 left)');
});

test('a clear verdict is cached for a short time; a local failure clears the cache at once', async () => {
  let now = 5_000_000;
  const counter = countingCounter();
  const throttle = new AuthThrottle(counter, { maxFailuresPerIp: 2, maxFailuresPerUser: 2, windowMs: 60_000, clearVerdictCacheMs: 10_000, now: () => now });
  assert.equal(await throttle.isBlocked('192.0.2.1', 'a@example.test'), false);
  assert.equal(counter.reads, 2, 'one read per key');
  assert.equal(await throttle.isBlocked('192.0.2.1', 'a@example.test'), false);
  assert.equal(counter.reads, 2, 'the second login within 10 s reads nothing');

  // Another task's failures are unseen while the clear verdict is cached…
  await counter.recordFailure('user:a@example.test', 60, now);
  await counter.recordFailure('user:a@example.test', 60, now);
  assert.equal(await throttle.isBlocked('192.0.2.1', 'a@example.test'), false);
  // …and seen once it expires.
  now += 10_001;
  assert.equal(await throttle.isBlocked('192.0.2.1', 'a@example.test'), true);

  // A failure here drops the cached verdict for its keys: the next check reads again.
  assert.equal(await throttle.isBlocked('192.0.2.7', null), false);
  const reads = counter.reads;
  await throttle.recordFailure('192.0.2.7', null);
  await throttle.recordFailure('192.0.2.7', null);
  assert.equal(await throttle.isBlocked('192.0.2.7', null), true);
  assert.equal(counter.reads, reads + 1);
});
