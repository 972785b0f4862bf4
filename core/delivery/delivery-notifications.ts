// Sends the DSNs (RFC 3464) a delivery produced, to the envelope sender: into the local delivery queue
// when the sender is hosted here, else into the outbound queue. Only to a sender who logged in to our
// submission service: an anonymous envelope sender may be forged, and bouncing to it is backscatter.
import { domainOf } from '../mail/address.js';
import type { EnvelopeRecipient, InboundDeliveryJob } from '../mail/jobs.js';
import type { Storage } from '../ports/index.js';
import { buildDeliveryStatusNotification, type DsnRecipientReport, type ReturnedContent } from '../dsn/delivery-status-notification.js';

export interface NotificationContext {
  readonly storage: Pick<Storage, 'blobs' | 'directory' | 'inboundQueue' | 'outboundQueue'>;
  readonly hostname: string;
  readonly originalSubject: string | null;
  readonly returned: () => ReturnedContent;
}

type NotifyCondition = 'SUCCESS' | 'FAILURE';

/** RFC 3461 §4.1: without NOTIFY, report failures (and delays), never successes; NEVER means nothing. */
export function wantsNotification(recipient: EnvelopeRecipient, condition: NotifyCondition): boolean {
  if (recipient.notify === undefined) return condition === 'FAILURE';
  return recipient.notify.includes(condition);
}

/** True when a DSN may be sent at all for this job. */
export function mayNotifySender(job: InboundDeliveryJob): boolean {
  // RFC 5321 §4.5.5: never answer the null sender; and never backscatter to an unauthenticated one.
  return job.envelope.mailFrom !== '' && job.client.authenticatedAs !== undefined;
}

/** Builds one DSN for `reports` and queues it; `suffix` keeps its message id stable across redeliveries. */
export async function sendDeliveryStatusNotification(
  job: InboundDeliveryJob,
  reports: readonly DsnRecipientReport[],
  suffix: string,
  context: NotificationContext,
): Promise<void> {
  if (reports.length === 0) return;
  const { storage, hostname } = context;
  const dsn = buildDeliveryStatusNotification(
    {
      reportingMta: hostname,
      to: job.envelope.mailFrom,
      recipients: reports,
      originalEnvelopeId: job.envelope.dsnEnvelopeId,
      receivedFromMta: job.client.helo,
      arrivalDate: new Date(job.receivedAt),
      originalSubject: context.originalSubject ?? undefined,
    },
    context.returned(),
  );
  const blob = await storage.blobs.put(dsn.content, { prefix: 'spool/' });
  const common = {
    // Derived from the original id: a redelivered job's second DSN is recognised as a duplicate.
    messageId: `${job.messageId}.${suffix}`,
    blobKey: blob.key,
    sizeBytes: blob.sizeBytes,
    envelope: { mailFrom: '', recipients: [{ address: job.envelope.mailFrom, notify: ['NEVER' as const] }] },
    client: { ip: '127.0.0.1', helo: hostname, tls: false },
    receivedAt: new Date().toISOString(),
  };
  const senderIsHosted = (await storage.directory.getDomain(domainOf(job.envelope.mailFrom))) !== null;
  if (senderIsHosted) await storage.inboundQueue.send({ kind: 'inbound', ...common });
  else await storage.outboundQueue.send({ kind: 'outbound', ...common });
}
