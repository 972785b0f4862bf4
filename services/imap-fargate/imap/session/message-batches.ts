// Reads the messages a command names from the index in bounded batches, so a FETCH 1:* over
// 10,000 messages never holds them all: summaries by UID range, or full rows with structure.
import type { MailIndex, MessageSummary, StoredMessage } from '../../../../core/ports/index.js';

/** Messages per index round trip: large enough to amortise latency, small enough to bound memory. */
export const BATCH_SIZE = 500;

export async function* summaryBatches(index: MailIndex, mailboxId: string, uids: readonly number[]): AsyncGenerator<MessageSummary[]> {
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

export async function* storedBatches(index: MailIndex, mailboxId: string, uids: readonly number[]): AsyncGenerator<StoredMessage[]> {
  for (let i = 0; i < uids.length; i += BATCH_SIZE) {
    const messages = await index.getMessages(mailboxId, uids.slice(i, i + BATCH_SIZE));
    yield messages.sort((a, b) => a.uid - b.uid);
  }
}
