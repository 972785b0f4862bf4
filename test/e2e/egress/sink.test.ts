// Sink egress (the local default): outbound mail is kept, signed, in the sender's Outbox mailbox and
// nothing leaves the machine.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../../core/log/logger.js';
import { startEgressWorker, type EgressWorker } from '../../../services/smtp-fargate/egress/worker.js';
import {
  egressConfig,
  eventually,
  mailboxTexts,
  openEgressBed,
  submitOutbound,
  testMessage,
  type EgressBed,
} from './support/egress-fixture.js';

let bed: EgressBed;
let worker: EgressWorker;

before(async () => {
  bed = await openEgressBed();
  worker = startEgressWorker({
    storage: bed.storage,
    config: egressConfig({ mode: 'sink' }),
    hostname: 'mail.sender.test',
    logger: silentLogger,
  });
});
after(async () => {
  await worker.stop();
  await bed.close();
});

test('sink mode files the signed message in the sender Outbox, once, even when the job runs twice', async () => {
  const message = testMessage(['someone@far-away.test', 'other@elsewhere.test'], 'Kept locally');
  const job = await submitOutbound(bed.storage, message, ['someone@far-away.test', 'other@elsewhere.test']);
  const [kept] = await eventually(async () => {
    const texts = await mailboxTexts(bed.storage, bed.senderUserId, 'Outbox');
    return texts.length > 0 ? texts : undefined;
  }, 'the Outbox copy');
  assert.match(kept!, /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=sender\.test;/);
  assert.ok(kept!.endsWith(message), 'the message follows the signature unchanged');
  // At-least-once queue: the same job again adds nothing.
  await bed.storage.outboundQueue.send(job);
  await eventually(async () => ((await bed.storage.outboundQueue.depth()).ready === 0 ? true : undefined), 'the duplicate job to be taken');
  const outbox = await bed.storage.mailIndex.getMailbox(bed.senderUserId, 'Outbox');
  await eventually(
    async () => ((await bed.storage.outboundQueue.depth()).inFlight === 0 ? true : undefined),
    'the duplicate job to finish',
  );
  assert.equal((await bed.storage.mailIndex.getMailbox(bed.senderUserId, 'Outbox'))?.messageCount, 1);
  assert.equal(outbox?.subscribed, true, 'Outbox is subscribed, so IMAP clients show it');
});
