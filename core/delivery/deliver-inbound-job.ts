// The delivery use case: one queued inbound message → entries in recipients' mailboxes, forwards and
// DSNs. Both hosts (core/delivery/worker.ts locally, lambdas/delivery on AWS) call it and act on the
// outcome. Stages: authenticate (one read of the spool) → spam verdict → final blob + structure →
// per recipient: expand → choose mailbox → append idempotently → forwards → DSNs → delete the spool.
import type { Readable } from 'node:stream';
import type { Logger } from '../log/logger.js';
import type { InboundDeliveryJob } from '../mail/jobs.js';
import { isStorageError } from '../ports/errors.js';
import type { Storage } from '../ports/index.js';
import { withChangeNotifications } from '../storage/notifying-mail-index.js';
import type { DsnRecipientReport } from '../dsn/delivery-status-notification.js';
import { chooseMailbox } from './choose-mailbox.js';
import {
  DEFAULT_BACKOFF,
  retryDelaySeconds,
  type BackoffPolicy,
  type DeliveryOutcome,
  type RecipientDisposition,
} from './delivery-outcome.js';
import { mayNotifySender, sendDeliveryStatusNotification, wantsNotification } from './delivery-notifications.js';
import { expandRecipients, type RecipientRoute } from './expand-recipients.js';
import { fileIntoMailbox } from './file-into-mailbox.js';
import { writeFinalMessage, type FinalMessage, type StructureParserFactory } from './final-message-writer.js';
import { withoutForgedAuthenticationResults } from './forged-trace-fields.js';
import { forwardMessage } from './forward-message.js';
import { firstHeader } from './header-fields.js';
import { isInboundDeliveryJob } from './inbound-job-shape.js';
import { authenticateMessage, type DnsResolver, type MessageAuthentication } from './message-authentication.js';
import { readKeepingCopy, type ScratchCopy } from './scratch-copy.js';
import { spamStatusHeaderField, type SpamScorer, type SpamVerdict } from './spam/spam-scorer.js';

export type DeliveryStorage = Pick<Storage, 'blobs' | 'directory' | 'mailIndex' | 'inboundQueue' | 'outboundQueue'>;

/** The storage delivery writes through: its mail index publishes every append on the change feed. */
export function deliveryStorage(storage: Storage, logger: Logger): DeliveryStorage {
  const { blobs, directory, inboundQueue, outboundQueue } = storage;
  return { blobs, directory, inboundQueue, outboundQueue, mailIndex: withChangeNotifications(storage.mailIndex, storage.changes, logger) };
}

export interface DeliveryDeps {
  readonly storage: DeliveryStorage;
  /** Our host name: the Authentication-Results authserv-id and the DSN Reporting-MTA. */
  readonly hostname: string;
  readonly dnsResolver: DnsResolver;
  readonly spamScorer: SpamScorer;
  readonly createStructureParser: StructureParserFactory;
  /** HMAC secret of the Sender Rewriting Scheme for forwarded mail. */
  readonly srsSecret: string;
  /**
   * Local directory for the one scratch copy of the message being delivered; null to read the spool
   * blob again instead (where the blob store is local, a read is cheaper than writing a copy).
   */
  readonly scratchDir: string | null;
  readonly logger: Logger;
  readonly backoff?: BackoffPolicy;
}

export interface DeliveryAttempt {
  /** 1 on the first receive of the job (the queue's receive count). */
  readonly attempt: number;
}

/** What the stages learnt, shared by the per-recipient steps. */
interface PreparedMessage {
  readonly job: InboundDeliveryJob;
  readonly authentication: MessageAuthentication;
  readonly spam: SpamVerdict;
  readonly final: FinalMessage;
  readonly copy: ScratchCopy;
  /** The final blob is referenced by at least one new mailbox entry (else it is deleted at the end). */
  finalReferenced: boolean;
}

type MailboxRoute = Extract<RecipientRoute, { kind: 'mailbox' }>;
type Failure = { readonly kind: 'failed'; readonly status: string; readonly diagnostic: string };

/** Files the message for one user; a failure only when it is over quota and the sender may be told. */
async function deliverToMailbox(
  prepared: PreparedMessage,
  route: MailboxRoute,
  deps: DeliveryDeps,
  mayBounce: boolean,
  logger: Logger,
): Promise<{ readonly kind: 'filed'; readonly disposition: RecipientDisposition } | Failure> {
  const { job, authentication, spam, final } = prepared;
  const { storage } = deps;
  const filterRules = spam.isSpam ? [] : await storage.directory.getFilterRules(route.user.id);
  const { mailbox, reason } = await chooseMailbox(storage.mailIndex, route.user.id, {
    isSpam: spam.isSpam,
    headers: authentication.headers,
    filterRules,
  });
  const filed = await fileIntoMailbox(
    storage,
    {
      user: route.user,
      mailbox,
      message: final,
      internalDate: new Date(job.receivedAt),
      idempotencyKey: `${job.messageId}/${route.user.id}/${mailbox.id}`,
      mayBounceOverQuota: mayBounce,
    },
    logger,
  );
  // RFC 3463 X.2.2: mailbox full; only reached when the sender is authenticated (no backscatter).
  if (filed.kind === 'over-quota')
    return { kind: 'failed', status: '5.2.2', diagnostic: '552 5.2.2 Mailbox full: the recipient is over quota' };
  const { uid, duplicate } = filed.append;
  prepared.finalReferenced ||= !duplicate;
  logger.info('filed', {
    recipient: route.envelopeRecipient.address,
    userId: route.user.id,
    mailboxId: mailbox.id,
    uid,
    duplicate,
    reason,
  });
  const disposition = {
    recipient: route.envelopeRecipient.address,
    result: 'filed',
    userId: route.user.id,
    mailboxId: mailbox.id,
    uid,
    duplicate,
    reason,
  } as const;
  return { kind: 'filed', disposition };
}

async function deliverRoutes(
  prepared: PreparedMessage,
  routes: readonly RecipientRoute[],
  deps: DeliveryDeps,
  logger: Logger,
): Promise<RecipientDisposition[]> {
  const { job, authentication } = prepared;
  const { storage } = deps;
  const dispositions: RecipientDisposition[] = [];
  const failures: DsnRecipientReport[] = [];
  const successes: DsnRecipientReport[] = [];
  const forwards: Extract<RecipientRoute, { kind: 'forward' }>[] = [];
  const mayNotify = mayNotifySender(job);

  for (const route of routes) {
    const recipient = route.envelopeRecipient;
    if (route.kind === 'forward') {
      forwards.push(route);
      continue;
    }
    const result =
      route.kind === 'mailbox'
        ? await deliverToMailbox(prepared, route, deps, mayNotify && wantsNotification(recipient, 'FAILURE'), logger)
        : route;
    if (result.kind === 'filed') {
      dispositions.push(result.disposition);
      if (mayNotify && wantsNotification(recipient, 'SUCCESS'))
        successes.push({ finalRecipient: recipient.address, originalRecipient: recipient.orcpt, action: 'delivered', status: '2.0.0' });
      continue;
    }
    dispositions.push({ recipient: recipient.address, result: 'failed', status: result.status, diagnostic: result.diagnostic });
    logger.warn('recipient failed', { recipient: recipient.address, status: result.status, bounced: mayNotify });
    if (mayNotify && wantsNotification(recipient, 'FAILURE'))
      failures.push({
        finalRecipient: recipient.address,
        originalRecipient: recipient.orcpt,
        action: 'failed',
        status: result.status,
        diagnosticCode: result.diagnostic,
      });
  }

  for (const forward of await forwardMessage(prepared, forwards, deps)) dispositions.push(forward);

  const context = {
    storage,
    hostname: deps.hostname,
    originalSubject: firstHeader(authentication.headers, 'subject'),
    returned: () =>
      job.envelope.dsnReturn === 'HDRS'
        ? { kind: 'headers' as const, header: authentication.rawHeader }
        : { kind: 'full' as const, message: prepared.copy.read() },
  };
  await sendDeliveryStatusNotification(job, failures, 'dsn-failure', context);
  await sendDeliveryStatusNotification(job, successes, 'dsn-success', context);
  return dispositions;
}

async function openSpool(deps: DeliveryDeps, job: InboundDeliveryJob): Promise<Readable | null> {
  try {
    return await deps.storage.blobs.get(job.blobKey);
  } catch (error) {
    if (isStorageError(error, 'not-found')) return null;
    throw error;
  }
}

export async function deliverInboundJob(
  job: unknown,
  deps: DeliveryDeps,
  attempt: DeliveryAttempt = { attempt: 1 },
): Promise<DeliveryOutcome> {
  if (!isInboundDeliveryJob(job)) return { kind: 'dead', reason: 'not an inbound delivery job' };
  const logger = deps.logger.child({ messageId: job.messageId, attempt: attempt.attempt });
  const { blobs } = deps.storage;
  let prepared: PreparedMessage | null = null;
  let copy: ScratchCopy | null = null;
  try {
    const spool = await openSpool(deps, job);
    if (spool === null) {
      // The spool is deleted only after every recipient is done: this is a redelivery of a finished job.
      logger.warn('spooled message already gone; the job was completed before', { blobKey: job.blobKey });
      return { kind: 'delivered', dispositions: [] };
    }
    const tee = await readKeepingCopy(spool, deps.scratchDir, () => blobs.get(job.blobKey), (stream) =>
      authenticateMessage(stream, job, { authServId: deps.hostname, resolver: deps.dnsResolver }),
    );
    copy = tee.copy;
    const authentication = tee.result;
    if (authentication.dmarcRejects) {
      // RFC 7489 §6.6.4 / §10.3: the From domain asked for rejection; no bounce (its sender is forged).
      logger.warn('rejected by DMARC policy', { domain: authentication.dmarc?.domain });
      await blobs.delete(job.blobKey);
      return {
        kind: 'delivered',
        dispositions: job.envelope.recipients.map((r) => ({ recipient: r.address, result: 'rejected', reason: 'dmarc=fail p=reject' })),
      };
    }
    const spam = await deps.spamScorer.score({ authentication, dnsblHits: job.dnsblHits ?? [], headers: authentication.headers });
    const prefix = `${authentication.headerField}\r\n${spamStatusHeaderField(spam)}\r\n`;
    const message = withoutForgedAuthenticationResults(copy.read(), deps.hostname);
    const final = await writeFinalMessage(blobs, deps.createStructureParser, { prefix, message, headers: authentication.headers });
    if (!final.parsedAsMime) logger.warn('malformed MIME: stored raw', { blobKey: final.blobKey });
    prepared = { job, authentication, spam, final, copy, finalReferenced: false };

    const routes = await expandRecipients(deps.storage.directory, job.envelope.recipients);
    const dispositions = await deliverRoutes(prepared, routes, deps, logger);
    if (!prepared.finalReferenced) await blobs.delete(final.blobKey);
    await blobs.delete(job.blobKey);
    logger.info('delivered', {
      recipients: dispositions.length,
      spam: spam.isSpam,
      spamScore: spam.score,
      parsedAsMime: final.parsedAsMime,
      sizeBytes: final.sizeBytes,
    });
    return { kind: 'delivered', dispositions };
  } catch (error) {
    if (prepared !== null && !prepared.finalReferenced) await blobs.delete(prepared.final.blobKey).catch(() => undefined);
    const delaySeconds = retryDelaySeconds(attempt.attempt, deps.backoff ?? DEFAULT_BACKOFF);
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    logger.warn('delivery failed; will retry', { error, delaySeconds });
    return { kind: 'retry', reason, delaySeconds };
  } finally {
    await copy?.remove();
  }
}
