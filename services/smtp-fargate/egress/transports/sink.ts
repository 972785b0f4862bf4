// `sink` egress, the local default: nothing leaves the machine. Each outbound message is kept in its
// sender's `Outbox` mailbox (visible over IMAP), so a developer sees exactly what would have been sent.
import type { Storage } from '../../../../core/ports/index.js';
import { fileForLocalUser, OUTBOX_MAILBOX } from '../mailbox-filing.js';
import { sameResultForAll, type EgressTransport, type OutboundMessage, type RecipientResult } from '../transport.js';

export class SinkTransport implements EgressTransport {
  readonly mode = 'sink';

  constructor(private readonly storage: Pick<Storage, 'blobs' | 'directory' | 'mailIndex'>) {}

  async send(message: OutboundMessage): Promise<RecipientResult[]> {
    const owner = message.senderAddress ?? message.mailFrom;
    const filed =
      owner !== '' &&
      (await fileForLocalUser(this.storage, {
        userAddress: owner,
        mailboxName: OUTBOX_MAILBOX,
        content: message.content(),
        idempotencyKey: `egress-sink:${message.messageId}`,
        flags: ['\\Seen'],
      }));
    // A message without a local owner (a relayed DSN) is dropped: the sink never sends anything.
    const reply = filed
      ? `250 2.0.0 Kept in ${owner}'s ${OUTBOX_MAILBOX} (sink mode: not sent)`
      : '250 2.0.0 Discarded (sink mode: not sent)';
    return sameResultForAll(message.recipients, { outcome: 'delivered', status: '2.0.0', reply });
  }

  async close(): Promise<void> {}
}
