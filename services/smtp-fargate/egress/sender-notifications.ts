// DSNs (RFC 3464, built by core/dsn) from the egress worker to the sender of an outbound message:
// failures, expiry and the optional "still trying" notice. A local sender gets the DSN straight into
// INBOX; any other address at a hosted domain (an alias, an SRS address) goes through delivery.
import { domainOf } from '../../../core/mail/address.js';
import type { EnvelopeRecipient, OutboundDeliveryJob } from '../../../core/mail/jobs.js';
import type { Logger } from '../../../core/log/logger.js';
import type { Storage } from '../../../core/ports/index.js';
import {
  buildDeliveryStatusNotification,
  type DsnRecipientReport,
  type ReturnedContent,
} from '../../../core/dsn/delivery-status-notification.js';
import { explainRemoteReply } from './bounce-texts.js';
import { fileForLocalUser } from './mailbox-filing.js';
import { readOriginalHeader } from './original-header.js';
import type { RecipientResult } from './transport.js';

export interface NotificationDeps {
  readonly storage: Pick<Storage, 'blobs' | 'directory' | 'mailIndex' | 'inboundQueue'>;
  readonly hostname: string;
  readonly logger: Logger;
}

type Condition = 'FAILURE' | 'DELAY';

/** RFC 3461 §4.1: without NOTIFY, failures and delays are reported; NEVER silences both. */
function wants(recipient: EnvelopeRecipient | undefined, condition: Condition): boolean {
  return recipient?.notify === undefined || recipient.notify.includes(condition);
}

function subjectOf(header: string): string | undefined {
  return /^subject:[ \t]*(.*(?:\r\n[ \t].*)*)/im.exec(header)?.[1]?.replace(/\r\n[ \t]+/g, ' ');
}

export function reportOf(result: RecipientResult, job: OutboundDeliveryJob, extra: Partial<DsnRecipientReport> = {}): DsnRecipientReport {
  const recipient = job.envelope.recipients.find((candidate) => candidate.address === result.recipient);
  return {
    finalRecipient: result.recipient,
    originalRecipient: recipient?.orcpt,
    action: result.outcome === 'deferred' ? 'delayed' : result.outcome === 'failed' ? 'failed' : 'delivered',
    status: result.status,
    diagnosticCode: result.reply,
    remoteMta: result.remoteMta,
    lastAttemptDate: new Date(),
    explanation: explainRemoteReply(result),
    ...extra,
  };
}

/**
 * Sends one DSN covering `reports` (those whose recipients asked for it). `suffix` makes its id stable,
 * so a job processed twice files it once. Never to the null sender (RFC 5321 §4.5.5).
 */
export async function notifySender(
  job: OutboundDeliveryJob,
  reports: readonly DsnRecipientReport[],
  suffix: string,
  deps: NotificationDeps,
): Promise<void> {
  const sender = job.envelope.mailFrom;
  if (sender === '') return;
  const wanted = reports.filter((report) => {
    const recipient = job.envelope.recipients.find((candidate) => candidate.address === report.finalRecipient);
    return wants(recipient, report.action === 'delayed' ? 'DELAY' : 'FAILURE');
  });
  if (wanted.length === 0) return;
  const { storage, hostname, logger } = deps;
  const header = await readOriginalHeader(storage.blobs, job.blobKey);
  // A REQUIRETLS message's content may not travel where TLS is not guaranteed (RFC 8689 §5 on
  // non-delivery reports), and a DSN may be forwarded on: its header alone is returned.
  const returnFull = job.envelope.dsnReturn === 'FULL' && job.envelope.requireTls !== true;
  const returned: ReturnedContent = returnFull ? { kind: 'full', message: await storage.blobs.get(job.blobKey) } : { kind: 'headers', header };
  const dsn = buildDeliveryStatusNotification(
    {
      reportingMta: hostname,
      to: sender,
      recipients: wanted,
      originalEnvelopeId: job.envelope.dsnEnvelopeId,
      receivedFromMta: job.client.helo,
      arrivalDate: new Date(job.receivedAt),
      originalSubject: subjectOf(header),
    },
    returned,
  );
  const idempotencyKey = `egress-dsn:${job.messageId}.${suffix}`;
  if (await fileForLocalUser(storage, { userAddress: sender, mailboxName: 'INBOX', content: dsn.content, idempotencyKey })) {
    logger.info('DSN filed for the sender', { messageId: job.messageId, sender, recipients: wanted.length, action: wanted[0]!.action });
    return;
  }
  if ((await storage.directory.getDomain(domainOf(sender))) === null) {
    // Submission only takes senders it hosts; anything else would be backscatter.
    logger.warn('DSN dropped: the sender is not hosted here', { messageId: job.messageId, sender });
    return;
  }
  const blob = await storage.blobs.put(dsn.content, { prefix: 'spool/' });
  await storage.inboundQueue.send({
    kind: 'inbound',
    messageId: `${job.messageId}.${suffix}`,
    blobKey: blob.key,
    sizeBytes: blob.sizeBytes,
    envelope: { mailFrom: '', recipients: [{ address: sender, notify: ['NEVER'] }] },
    client: { ip: '127.0.0.1', helo: hostname, tls: false },
    receivedAt: new Date().toISOString(),
  });
}
