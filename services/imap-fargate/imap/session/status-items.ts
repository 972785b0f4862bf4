// STATUS data items (RFC 3501 §6.3.10, RFC 9051 §6.3.11, STATUS=SIZE RFC 8438, HIGHESTMODSEQ RFC 7162 §3.1.6),
// shared by STATUS and LIST-STATUS (RFC 5819). Counts come from the mailbox row; DELETED scans the index.
import type { Mailbox, MailIndex } from '../../../../core/ports/index.js';
import type { Token } from '../protocol/command-tokens.js';
import { bad } from './replies.js';

const ITEMS = new Set(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ', 'SIZE', 'DELETED']);

export function parseStatusItems(tokens: readonly Token[]): string[] {
  if (tokens.length === 0) throw bad('STATUS needs at least one item');
  return tokens.map((token) => {
    const name = token.kind === 'atom' ? token.value.toUpperCase() : '';
    if (!ITEMS.has(name)) throw bad(`Unknown STATUS item ${token.kind === 'list' ? '(…)' : token.value.slice(0, 20)}`);
    return name;
  });
}

async function countMessages(index: MailIndex, mailboxId: string, fromUid: number, counts: (flags: readonly string[]) => boolean): Promise<number> {
  let count = 0;
  let afterUid: number | undefined;
  for (;;) {
    const page = await index.listMessages(mailboxId, { range: { by: 'uid', from: fromUid, to: Number.MAX_SAFE_INTEGER }, ...(afterUid === undefined ? {} : { afterUid }) });
    count += page.messages.filter((m) => counts(m.flags)).length;
    if (page.nextAfterUid === null) return count;
    afterUid = page.nextAfterUid;
  }
}

/** RFC 3501 §6.3.10 RECENT: messages no session has claimed yet (usually a few, at the top of the UID range). */
function countRecent(index: MailIndex, mailbox: Mailbox): Promise<number> | number {
  return mailbox.firstRecentUid >= mailbox.uidNext ? 0 : countMessages(index, mailbox.id, mailbox.firstRecentUid, () => true);
}

export async function statusValues(index: MailIndex, mailbox: Mailbox, items: readonly string[]): Promise<string> {
  const values: string[] = [];
  for (const item of items) {
    const value =
      item === 'MESSAGES' ? mailbox.messageCount
      : item === 'RECENT' ? await countRecent(index, mailbox)
      : item === 'UIDNEXT' ? mailbox.uidNext
      : item === 'UIDVALIDITY' ? mailbox.uidValidity
      : item === 'UNSEEN' ? mailbox.unseenCount
      : item === 'HIGHESTMODSEQ' ? mailbox.highestModseq
      : item === 'SIZE' ? mailbox.sizeBytes
      : await countMessages(index, mailbox.id, 1, (flags) => flags.includes('\\Deleted'));
    values.push(`${item} ${value}`);
  }
  return `(${values.join(' ')})`;
}
