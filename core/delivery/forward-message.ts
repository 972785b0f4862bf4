// Forwarding to remote addresses (aliases whose targets live elsewhere, moved users): one outbound job
// per forwarding domain, with the envelope sender rewritten by SRS so SPF passes at the next hop.
// The egress worker gets its own copy of the message, which it owns and deletes when it is done.
import type { InboundDeliveryJob } from '../mail/jobs.js';
import type { DeliveryDeps } from './deliver-inbound-job.js';
import type { RecipientDisposition } from './delivery-outcome.js';
import type { RecipientRoute } from './expand-recipients.js';
import type { ScratchCopy } from './scratch-copy.js';
import { withoutForgedAuthenticationResults } from './forged-trace-fields.js';
import { srsForward } from './sender-rewriting.js';
import type { SpamVerdict } from './spam/spam-scorer.js';
import type { MessageAuthentication } from './message-authentication.js';

type ForwardRoute = Extract<RecipientRoute, { kind: 'forward' }>;

interface ForwardSource {
  readonly job: InboundDeliveryJob;
  readonly authentication: MessageAuthentication;
  readonly spam: SpamVerdict;
  readonly copy: ScratchCopy;
}

export async function forwardMessage(
  source: ForwardSource,
  routes: readonly ForwardRoute[],
  deps: Pick<DeliveryDeps, 'storage' | 'srsSecret' | 'logger' | 'hostname'>,
): Promise<RecipientDisposition[]> {
  if (routes.length === 0) return [];
  const { job } = source;
  if (source.spam.isSpam) {
    // Forwarding spam would spend our sending reputation on it; the local copies (if any) are in Junk.
    deps.logger.warn('forward suppressed: spam', { messageId: job.messageId, score: source.spam.score });
    return routes.map((route) => ({ recipient: route.envelopeRecipient.address, result: 'rejected', reason: 'spam not forwarded' }));
  }
  const byDomain = new Map<string, ForwardRoute[]>();
  for (const route of routes) byDomain.set(route.forwardingDomain, [...(byDomain.get(route.forwardingDomain) ?? []), route]);

  const dispositions: RecipientDisposition[] = [];
  for (const [forwardingDomain, domainRoutes] of byDomain) {
    const prefix = Buffer.from(`${source.authentication.headerField}\r\n`);
    async function* content(): AsyncIterable<Uint8Array> {
      yield prefix;
      yield* withoutForgedAuthenticationResults(source.copy.read(), deps.hostname);
    }
    const blob = await deps.storage.blobs.put(content(), { prefix: 'outbound/' });
    await deps.storage.outboundQueue.send({
      kind: 'outbound',
      // Stable across redeliveries of the inbound job, so the egress worker can recognise a repeat.
      messageId: `${job.messageId}.fwd.${forwardingDomain}`,
      blobKey: blob.key,
      sizeBytes: blob.sizeBytes,
      envelope: {
        mailFrom: srsForward(job.envelope.mailFrom, { secret: deps.srsSecret, forwardingDomain }),
        recipients: domainRoutes.map((route) => ({ address: route.address })),
        bodyType: job.envelope.bodyType,
        smtpUtf8: job.envelope.smtpUtf8,
        // RFC 8689 §4.2: a forward is another hop of the same message; the requirement goes with it.
        ...(job.envelope.requireTls ? { requireTls: true } : {}),
      },
      client: job.client,
      receivedAt: job.receivedAt,
    });
    for (const route of domainRoutes)
      dispositions.push({ recipient: route.envelopeRecipient.address, result: 'forwarded', to: route.address });
  }
  return dispositions;
}
