// AttemptCounter contract: failures per key in epoch-aligned windows, the previous window still
// readable, older ones forgotten, keys apart, and concurrent failures all counted (the AWS adapter's
// atomic ADD; the memory adapter's single thread). Cross-task sharing is an AWS property, tested in
// test/adapters/aws/aws-adapters.test.ts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';

const WINDOW_SECONDS = 300;
/** The start of some window, well away from the edges of its neighbours. */
const WINDOW_START_MS = Math.floor(Date.now() / 1000 / WINDOW_SECONDS) * WINDOW_SECONDS * 1000;

const freshKey = (kind: string) => `${kind}:${randomUUID()}`;

for (const set of adapterSets) {
  describe(`AttemptCounter contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    before(async () => {
      opened = await set.open();
    });
    after(async () => {
      await opened.cleanup();
    });

    test('an unknown key has no failures', async () => {
      assert.deepEqual(await opened.storage.attempts.recentFailures(freshKey('ip'), WINDOW_SECONDS, WINDOW_START_MS), { current: 0, previous: 0 });
    });

    test('failures count in their window, per key; the next window sees them as previous; later ones forget them', async () => {
      const attempts = opened.storage.attempts;
      const [ip, user] = [freshKey('ip'), freshKey('user')];
      await attempts.recordFailure(ip, WINDOW_SECONDS, WINDOW_START_MS + 1_000);
      await attempts.recordFailure(ip, WINDOW_SECONDS, WINDOW_START_MS + 299_000);
      await attempts.recordFailure(user, WINDOW_SECONDS, WINDOW_START_MS + 5_000);
      assert.deepEqual(await attempts.recentFailures(ip, WINDOW_SECONDS, WINDOW_START_MS + 299_500), { current: 2, previous: 0 });
      assert.deepEqual(await attempts.recentFailures(user, WINDOW_SECONDS, WINDOW_START_MS + 10_000), { current: 1, previous: 0 });

      const nextWindow = WINDOW_START_MS + WINDOW_SECONDS * 1000;
      await attempts.recordFailure(ip, WINDOW_SECONDS, nextWindow + 1_000);
      assert.deepEqual(await attempts.recentFailures(ip, WINDOW_SECONDS, nextWindow + 2_000), { current: 1, previous: 2 });
      assert.deepEqual(await attempts.recentFailures(ip, WINDOW_SECONDS, nextWindow + WINDOW_SECONDS * 1000 + 1), { current: 0, previous: 1 });
      assert.deepEqual(await attempts.recentFailures(ip, WINDOW_SECONDS, nextWindow + 2 * WINDOW_SECONDS * 1000), { current: 0, previous: 0 });
    });

    test('windows of any size are aligned to the epoch', async () => {
      const attempts = opened.storage.attempts;
      const key = freshKey('user');
      await attempts.recordFailure(key, 60, WINDOW_START_MS + 30_000);
      assert.deepEqual(await attempts.recentFailures(key, 60, WINDOW_START_MS + 90_000), { current: 0, previous: 1 });
    });

    test('concurrent failures are all counted', async () => {
      const attempts = opened.storage.attempts;
      const key = freshKey('ip');
      await Promise.all(Array.from({ length: 25 }, () => attempts.recordFailure(key, WINDOW_SECONDS, WINDOW_START_MS + 42_000)));
      assert.deepEqual(await attempts.recentFailures(key, WINDOW_SECONDS, WINDOW_START_MS + 43_000), { current: 25, previous: 0 });
    });
  });
}
