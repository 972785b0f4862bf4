// The pure rules of the egress worker: reading SMTP replies, the retry schedule, bounce texts and
// the sending limits (with a fake clock, no sleeping).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainRemoteReply } from '../../../../../services/smtp-fargate/egress/bounce-texts.js';
import { DailyRecipientCap, DomainLimiter } from '../../../../../services/smtp-fargate/egress/limits.js';
import { queueDelaySeconds, retryDelaySeconds } from '../../../../../services/smtp-fargate/egress/retry-schedule.js';
import { resultOfReply, statusOfReply } from '../../../../../services/smtp-fargate/egress/transport.js';

test('SMTP replies: enhanced status when it agrees with the code, else implied by the class (RFC 3463 §2)', () => {
  assert.equal(statusOfReply('550 5.1.1 No such user'), '5.1.1');
  assert.equal(statusOfReply('550 No such user'), '5.0.0');
  assert.equal(statusOfReply('450 5.1.1 mismatched class'), '4.0.0');
  assert.equal(resultOfReply('a@b.test', '250 2.0.0 Ok').outcome, 'delivered');
  assert.equal(resultOfReply('a@b.test', '451 4.3.0 Try later').outcome, 'deferred');
  assert.equal(resultOfReply('a@b.test', '554 5.7.1 Listed at a blocklist').outcome, 'failed');
  assert.equal(resultOfReply('a@b.test', '552-5.2.2 Mailbox\r\n552 5.2.2 full').reply, '552-5.2.2 Mailbox 552 5.2.2 full');
});

test('retry delays double from the base up to the cap; queue delays stop at 900 s', () => {
  const settings = { retryBaseDelaySeconds: 300, maxRetryDelaySeconds: 3600, expirySeconds: 86_400, delayNoticeAfterSeconds: 0 };
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((attempt) => retryDelaySeconds(attempt, settings)),
    [300, 600, 1200, 2400, 3600],
  );
  const now = new Date('2026-11-30T12:00:00Z');
  assert.equal(queueDelaySeconds(new Date(now.getTime() + 120_000), now), 120);
  assert.equal(queueDelaySeconds(new Date(now.getTime() + 3_600_000), now), 900);
  assert.equal(queueDelaySeconds(new Date(now.getTime() - 5_000), now), 0);
});

test('bounce texts explain the common replies in plain words', () => {
  const explain = (reply: string) => explainRemoteReply({ reply, status: statusOfReply(reply) })?.what ?? '';
  assert.match(explain('550 5.1.1 User unknown'), /Unknown user/);
  assert.match(explain('551 5.1.6 User not local; please try <new@example.test>'), /User not local/);
  assert.match(explain('552 5.2.2 Mailbox full'), /mailbox is full/);
  assert.match(explain('552 5.3.4 Message too big'), /too big/);
  assert.match(explain('553 5.7.1 Sender address rejected: not logged in'), /rejected the sender address/);
  assert.match(
    explainRemoteReply({ reply: '554 5.7.1 Client host blocked using zen.example', status: '5.7.1' })?.whatToDo ?? '',
    /SPF and DKIM[^]*blocklist/,
  );
  assert.match(explain('550 5.4.4 Host unknown'), /Host unknown/);
  assert.equal(explainRemoteReply({ reply: '550 5.6.0 Something odd', status: '5.6.0' }), undefined, 'left to core/dsn');
});

test('the daily recipient cap counts per user and resets at UTC midnight', () => {
  let now = Date.parse('2026-11-30T23:00:00Z');
  const cap = new DailyRecipientCap(3, () => now);
  assert.equal(cap.tryConsume('alice@sender.test', 2), true);
  assert.equal(cap.tryConsume('alice@sender.test', 2), false, 'would pass the cap');
  assert.equal(cap.tryConsume('bob@sender.test', 3), true, 'another user has their own count');
  assert.equal(cap.nextReset().toISOString(), '2026-12-01T00:00:00.000Z');
  now = Date.parse('2026-12-01T00:00:01Z');
  assert.equal(cap.tryConsume('alice@sender.test', 3), true);
  assert.equal(new DailyRecipientCap(0, () => now).tryConsume('x@y.test', 1_000_000), true, '0 = no cap');
});

test('the domain limiter holds sessions per domain to the concurrency, other domains run alongside', async () => {
  const limiter = new DomainLimiter(2, 0);
  const active = new Map<string, number>();
  const peak = new Map<string, number>();
  const releases: (() => void)[] = [];
  const work = (domain: string) =>
    limiter.run(domain, async () => {
      active.set(domain, (active.get(domain) ?? 0) + 1);
      peak.set(domain, Math.max(peak.get(domain) ?? 0, active.get(domain)!));
      await new Promise<void>((resolve) => releases.push(resolve));
      active.set(domain, active.get(domain)! - 1);
    });
  const all = Promise.all([work('big.test'), work('big.test'), work('big.test'), work('big.test'), work('small.test')]);
  let finished = false;
  void all.then(() => (finished = true));
  // Release whatever is running until everything has finished.
  while (!finished) {
    await new Promise((resolve) => setImmediate(resolve));
    releases.splice(0).forEach((release) => release());
  }
  await all;
  assert.equal(peak.get('big.test'), 2);
  assert.equal(peak.get('small.test'), 1);
});

test('the domain rate limit spreads a minute quota over the minute', async () => {
  const limiter = new DomainLimiter(10, 600); // 10 a second, bursts of 10
  const started = Date.now();
  for (let sent = 0; sent < 20; sent += 1) await limiter.run('rate.test', async () => undefined);
  const elapsedMs = Date.now() - started;
  assert.ok(elapsedMs >= 800, `20 messages at 10/s took ${elapsedMs} ms`);
  assert.ok(elapsedMs < 10_000);
});
