// The job lifecycle on real local storage with a scripted transport: expiry turns a deferral into a
// bounce, the delay notice goes out once, and the daily cap holds a message until the next UTC day.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../../../../core/log/logger.js';
import { DkimSigner } from '../../../../../services/smtp-fargate/egress/dkim-signer.js';
import { DailyRecipientCap } from '../../../../../services/smtp-fargate/egress/limits.js';
import { processOutboundJob, type EgressDeps } from '../../../../../services/smtp-fargate/egress/process-outbound-job.js';
import { sameResultForAll, type EgressTransport, type OutboundMessage } from '../../../../../services/smtp-fargate/egress/transport.js';
import { mailboxTexts, openEgressBed, submitOutbound, testMessage, type EgressBed } from '../../../../e2e/egress/support/egress-fixture.js';

let bed: EgressBed;
before(async () => {
  bed = await openEgressBed();
});
after(() => bed.close());

/** A remote that always says "try later", recording what it was handed. */
class AlwaysBusyTransport implements EgressTransport {
  readonly mode = 'scripted';
  readonly sent: OutboundMessage[] = [];
  async send(message: OutboundMessage) {
    this.sent.push(message);
    return sameResultForAll(message.recipients, {
      outcome: 'deferred',
      status: '4.2.1',
      reply: '450 4.2.1 Busy, try later',
      remoteMta: 'mx.busy.test',
    });
  }
  async close() {}
}

function depsWith(transport: EgressTransport, overrides: Partial<EgressDeps> = {}): EgressDeps {
  return {
    storage: bed.storage,
    queue: bed.storage.outboundQueue,
    transport,
    signer: new DkimSigner(bed.storage.directory, silentLogger),
    dailyCap: new DailyRecipientCap(0),
    retry: { retryBaseDelaySeconds: 60, maxRetryDelaySeconds: 600, expirySeconds: 3600, delayNoticeAfterSeconds: 600 },
    hostname: 'mail.sender.test',
    logger: silentLogger,
    ...overrides,
  };
}

async function takeJob() {
  const [job] = await bed.storage.outboundQueue.receive({ maxJobs: 1, visibilityTimeoutSeconds: 60 });
  assert.ok(job, 'a job is ready');
  return job;
}

test('past the expiry a deferred recipient bounces with the last reply and "retry period expired"', async () => {
  const firstAttemptAt = new Date(Date.now() - 2 * 3600_000).toISOString();
  const submitted = await submitOutbound(bed.storage, testMessage(['late@busy.test'], 'Too late'), ['late@busy.test']);
  const queued = await takeJob();
  const job = { ...queued, body: { ...submitted, firstAttemptAt, attempts: 7, delayNoticeSent: true } };
  assert.equal(await processOutboundJob(job, depsWith(new AlwaysBusyTransport())), 'done');
  const dsn = (await mailboxTexts(bed.storage, bed.senderUserId, 'INBOX')).find((text) => text.includes('late@busy.test'));
  assert.ok(dsn);
  assert.match(dsn, /Status: 5\.4\.7/);
  assert.match(dsn, /Diagnostic-Code: smtp;450 4\.2\.1 Busy, try later/);
  assert.match(dsn, /until we gave up/);
  assert.equal((await bed.storage.outboundQueue.depth()).delayed, 0, 'nothing re-enqueued');
});

test('after the notice period one "delayed" DSN goes out and the retry job remembers it', async () => {
  const transport = new AlwaysBusyTransport();
  const firstAttemptAt = new Date(Date.now() - 20 * 60_000).toISOString();
  const submitted = await submitOutbound(bed.storage, testMessage(['slow@busy.test'], 'Slow one'), ['slow@busy.test']);
  const queued = await takeJob();
  assert.equal(
    await processOutboundJob({ ...queued, body: { ...submitted, firstAttemptAt, attempts: 2 } }, depsWith(transport)),
    'retrying',
  );
  const notices = (await mailboxTexts(bed.storage, bed.senderUserId, 'INBOX')).filter((text) => text.includes('slow@busy.test'));
  assert.equal(notices.length, 1);
  assert.match(notices[0]!, /Action: delayed/);
  assert.match(notices[0]!, /Will-Retry-Until: /);
  assert.equal((await bed.storage.outboundQueue.depth()).delayed, 1, 'the retry waits on the queue');
  assert.match(transport.sent[0]?.recipients.join() ?? '', /slow@busy\.test/);
});

test('over the daily cap the message is held until the next UTC day and the sender is told', async () => {
  const transport = new AlwaysBusyTransport();
  const before = (await bed.storage.outboundQueue.depth()).delayed;
  await submitOutbound(bed.storage, testMessage(['one@cap.test', 'two@cap.test'], 'Capped'), ['one@cap.test', 'two@cap.test']);
  const settlement = await processOutboundJob(await takeJob(), depsWith(transport, { dailyCap: new DailyRecipientCap(1) }));
  assert.equal(settlement, 'capped');
  assert.equal(transport.sent.length, 0, 'nothing was sent');
  const notice = (await mailboxTexts(bed.storage, bed.senderUserId, 'INBOX')).find((text) => text.includes('one@cap.test'));
  assert.ok(notice);
  assert.match(notice, /Daily sending limit of 1 recipients reached/);
  assert.equal((await bed.storage.outboundQueue.depth()).delayed, before + 1);
});
