// Reads the messages a command names from the index in bounded batches, so a FETCH 1:* over
// 10,000 messages never holds them all. Each command asks for the least detail it needs: index
// summaries by UID range, summaries with the envelope (parsed, or serialised as cached for FETCH),
// or full rows with the MIME structure.
import { envelopeTextFor, formatEnvelope } from '../../../../core/mail/imap-envelope.js';
import type { Envelope } from '../../../../core/mail/message-structure.js';
import type { EnvelopedMessage, ImapEnvelopedMessage, MailIndex, MessageSummary, StoredMessage } from '../../../../core/ports/index.js';

/** Messages per index round trip: large enough to amortise latency, small enough to bound memory. */
export const BATCH_SIZE = 500;

/** How much of each message a command reads, cheapest first. */
export type MessageDetail = 'summary' | 'envelope' | 'imap-envelope' | 'structure';

/** A message as loaded at some detail; `envelopeOf`, `envelopeText` and `structureOf` read the parts a detail has. */
export type LoadedMessage = MessageSummary | EnvelopedMessage | ImapEnvelopedMessage | StoredMessage;

export function messageBatches(index: MailIndex, mailboxId: string, uids: readonly number[], detail: MessageDetail): AsyncGenerator<LoadedMessage[]> {
  switch (detail) {
    case 'summary':
      return summaryBatches(index, mailboxId, uids);
    case 'envelope':
      return uidBatches(uids, (chunk) => index.getEnvelopes(mailboxId, chunk));
    case 'imap-envelope':
      return uidBatches(uids, (chunk) => index.getImapEnvelopes(mailboxId, chunk));
    case 'structure':
      return uidBatches(uids, (chunk) => index.getMessages(mailboxId, chunk));
  }
}

export function envelopeOf(message: LoadedMessage): Envelope {
  if ('envelope' in message) return message.envelope;
  return structureOf(message).envelope;
}

/** The ENVELOPE value for a session (`utf8`: UTF8=ACCEPT enabled): the cached text when it was loaded. */
export function envelopeText(message: LoadedMessage, utf8: boolean): string {
  if ('imapEnvelope' in message) return envelopeTextFor(message.imapEnvelope, utf8);
  return formatEnvelope(envelopeOf(message), { utf8 });
}

export function structureOf(message: LoadedMessage): StoredMessage['structure'] {
  if (!('structure' in message)) throw new Error('the cached structure is needed but was not loaded');
  return message.structure;
}

async function* summaryBatches(index: MailIndex, mailboxId: string, uids: readonly number[]): AsyncGenerator<MessageSummary[]> {
  for (let i = 0; i < uids.length; i += BATCH_SIZE) {
    const chunk = uids.slice(i, i + BATCH_SIZE);
    const wanted = new Set(chunk);
    const from = chunk[0] as number;
    const to = chunk[chunk.length - 1] as number;
    const found: MessageSummary[] = [];
    let afterUid: number | undefined;
    for (;;) {
      const page = await index.listMessages(mailboxId, { range: { by: 'uid', from, to }, ...(afterUid === undefined ? {} : { afterUid }) });
      for (const message of page.messages) if (wanted.has(message.uid)) found.push(message);
      if (page.nextAfterUid === null) break;
      afterUid = page.nextAfterUid;
    }
    yield found;
  }
}

async function* uidBatches<T extends MessageSummary>(uids: readonly number[], read: (chunk: readonly number[]) => Promise<T[]>): AsyncGenerator<T[]> {
  for (let i = 0; i < uids.length; i += BATCH_SIZE) {
    const messages = await read(uids.slice(i, i + BATCH_SIZE));
    yield messages.sort((a, b) => a.uid - b.uid);
  }
}
