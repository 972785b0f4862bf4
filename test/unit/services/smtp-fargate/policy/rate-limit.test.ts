// SlidingWindowCounter: at most `max` hits per key in any window, refused hits not counted, and a
// long busy stream of hits (the case the amortised window is for) still counted exactly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlidingWindowCounter } from '../../../../../services/smtp-fargate/policy/rate-limit.js';

test('max hits per window and key; a hit frees its slot when it leaves the window', () => {
  let clock = 0;
  const counter = new SlidingWindowCounter({ max: 3, windowMs: 1_000 }, () => clock);
  assert.deepEqual([counter.tryHit('a'), counter.tryHit('a'), counter.tryHit('a'), counter.tryHit('a')], [true, true, true, false]);
  assert.equal(counter.tryHit('b'), true, 'keys are counted apart');
  clock = 999;
  assert.equal(counter.tryHit('a'), false, 'refused hits are not counted, the first three still are');
  clock = 1_000; // the window is (now − 1,000 ms, now]: the three hits at 0 have left it
  assert.deepEqual([counter.tryHit('a'), counter.tryHit('a'), counter.tryHit('a'), counter.tryHit('a')], [true, true, true, false]);
});

test('a steady stream of 20,000 hits at twice the allowed rate is admitted at exactly the allowed rate', () => {
  let clock = 0;
  const counter = new SlidingWindowCounter({ max: 100, windowMs: 1_000 }, () => clock);
  let admitted = 0;
  for (let i = 0; i < 20_000; i++) {
    clock = i * 5; // 200 per second against a limit of 100 per second
    if (counter.tryHit('sender')) admitted++;
  }
  assert.equal(admitted, 10_000);
});
