// One outbound job, start to finish: wait out `notBefore`, enforce the daily cap, DKIM-sign, hand the
// message to the transport, then act on each recipient's result — done, DSN, or a new delayed job
// holding the recipients still to try. The old job is acked only after all of that is durable.
import { domainOf } from '../../../core/mail/address.js';
import type { OutboundDeliveryJob } from '../../../core/mail/jobs.js';
import type { JobQueue, QueuedJob } from '../../../core/ports/job-queue.js';
import type { Storage } from '../../../core/ports/index.js';
import type { Logger } from '../../../core/log/logger.js';
import type { DkimSigner } from './dkim-signer.js';
import type { DailyRecipientCap } from './limits.js';
import { expiresAt, queueDelaySeconds, retryDelaySeconds, type RetrySettings } from './retry-schedule.js';
import { readOriginalHeader, saysTlsNotRequired } from './original-header.js';
import { notifySender, reportOf } from './sender-notifications.js';
import type { EgressTransport, OutboundMessage, RecipientResult } from './transport.js';

export interface EgressDeps {
  readonly storage: Pick<Storage, 'blobs' | 'directory' | 'mailIndex' | 'inboundQueue'>;
  readonly queue: JobQueue<OutboundDeliveryJob>;
  readonly transport: EgressTransport;
  readonly signer: DkimSigner;
  readonly dailyCap: DailyRecipientCap;
  readonly retry: RetrySettings;
  readonly hostname: string;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export type JobSettlement = 'waiting' | 'capped' | 'done' | 'retrying';

/** Puts `body` back on the queue to run at `due` (chained in 900 s steps). */
async function requeue(deps: EgressDeps, body: OutboundDeliveryJob, due: Date, now: Date): Promise<void> {
  await deps.queue.send({ ...body, notBefore: due.toISOString() }, { delaySeconds: queueDelaySeconds(due, now) });
}

function senderOf(job: OutboundDeliveryJob): string {
  return job.client.authenticatedAs ?? job.envelope.mailFrom;
}

async function signedMessage(job: OutboundDeliveryJob, deps: EgressDeps): Promise<OutboundMessage> {
  const signingDomain = domainOf(senderOf(job) || job.envelope.mailFrom);
  const signature = signingDomain ? await deps.signer.signatureFor(signingDomain, () => deps.storage.blobs.get(job.blobKey)) : '';
  const signatureBytes = Buffer.from(signature);
  const storage = deps.storage;
  return {
    messageId: job.messageId,
    mailFrom: job.envelope.mailFrom,
    senderAddress: job.client.authenticatedAs,
    recipients: job.envelope.recipients.map((recipient) => recipient.address),
    sizeBytes: job.sizeBytes + signatureBytes.length,
    async *content() {
      if (signatureBytes.length > 0) yield signatureBytes;
      yield* await storage.blobs.get(job.blobKey);
    },
    requireTls: job.envelope.requireTls === true,
    // RFC 8689 §4.1: with REQUIRETLS the header is ignored; otherwise read only when a policy asks.
    tlsOptional: async () => job.envelope.requireTls !== true && saysTlsNotRequired(await readOriginalHeader(storage.blobs, job.blobKey)),
  };
}

export async function processOutboundJob(queued: QueuedJob<OutboundDeliveryJob>, deps: EgressDeps): Promise<JobSettlement> {
  const job = queued.body;
  const now = deps.now?.() ?? new Date();
  const log = deps.logger.child({ messageId: job.messageId, jobId: queued.id });

  if (job.notBefore && new Date(job.notBefore).getTime() > now.getTime() + 1000) {
    await requeue(deps, job, new Date(job.notBefore), now);
    await deps.queue.ack(queued);
    return 'waiting';
  }

  const attempts = job.attempts ?? 0;
  const firstAttemptAt = job.firstAttemptAt ? new Date(job.firstAttemptAt) : now;
  if (attempts === 0 && !deps.dailyCap.tryConsume(senderOf(job), job.envelope.recipients.length)) {
    const reset = deps.dailyCap.nextReset();
    log.warn('daily sending cap reached: holding the message until the next UTC day', { sender: senderOf(job), cap: deps.dailyCap.cap });
    const reply = `451 4.7.0 Daily sending limit of ${deps.dailyCap.cap} recipients reached; the message will be sent after ${reset.toISOString()}`;
    const held = job.envelope.recipients.map((recipient) =>
      reportOf({ recipient: recipient.address, outcome: 'deferred', status: '4.7.0', reply }, job, { willRetryUntil: reset }),
    );
    await notifySender(job, held, 'cap', deps);
    // Attempts stay at 0, so the next try counts against the next day's cap.
    await requeue(deps, { ...job, firstAttemptAt: firstAttemptAt.toISOString(), delayNoticeSent: true }, reset, now);
    await deps.queue.ack(queued);
    return 'capped';
  }

  const results = await deps.transport.send(await signedMessage(job, deps));
  const settled = await settleResults(job, results, { now, firstAttemptAt, attempts: attempts + 1 }, deps);
  log.info('outbound attempt', {
    mode: deps.transport.mode,
    attempt: attempts + 1,
    delivered: results.filter((result) => result.outcome === 'delivered').length,
    failed: results.filter((result) => result.outcome === 'failed').length,
    deferred: results.filter((result) => result.outcome === 'deferred').length,
  });
  await deps.queue.ack(queued);
  return settled;
}

async function settleResults(
  job: OutboundDeliveryJob,
  results: readonly RecipientResult[],
  attempt: { now: Date; firstAttemptAt: Date; attempts: number },
  deps: EgressDeps,
): Promise<JobSettlement> {
  const { now, firstAttemptAt, attempts } = attempt;
  const expiry = expiresAt(firstAttemptAt, deps.retry);
  const nextTry = new Date(now.getTime() + retryDelaySeconds(attempts, deps.retry) * 1000);
  // Past the expiry (or when the next try would be), deferred recipients fail for good (RFC 5321 §4.5.4.1).
  const expired = nextTry.getTime() > expiry.getTime();
  const failed = results.filter((result) => result.outcome === 'failed');
  const deferred = results.filter((result) => result.outcome === 'deferred');
  const failures = [
    ...failed.map((result) => reportOf(result, job)),
    ...(expired
      ? deferred.map((result) => reportOf({ ...result, outcome: 'failed', status: '5.4.7' }, job, { diagnosticCode: result.reply }))
      : []),
  ];
  if (failures.length > 0) await notifySender(job, failures, `failed-${attempts}`, deps);
  if (expired || deferred.length === 0) return 'done';

  const noticeDue =
    deps.retry.delayNoticeAfterSeconds > 0 &&
    !job.delayNoticeSent &&
    now.getTime() - firstAttemptAt.getTime() >= deps.retry.delayNoticeAfterSeconds * 1000;
  if (noticeDue)
    await notifySender(
      job,
      deferred.map((result) => reportOf(result, job, { willRetryUntil: expiry })),
      'delayed',
      deps,
    );
  const remaining = new Set(deferred.map((result) => result.recipient));
  const retryJob: OutboundDeliveryJob = {
    ...job,
    envelope: { ...job.envelope, recipients: job.envelope.recipients.filter((recipient) => remaining.has(recipient.address)) },
    attempts,
    firstAttemptAt: firstAttemptAt.toISOString(),
    delayNoticeSent: job.delayNoticeSent || noticeDue,
  };
  await requeue(deps, retryJob, nextTry, now);
  return 'retrying';
}
