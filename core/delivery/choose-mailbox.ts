// Which of a user's mailboxes a message is filed into: spam to the \Junk mailbox (RFC 6154), else the
// first matching filter rule's mailbox, else INBOX. Missing INBOX or Junk are created on demand.
import type { FilterRule } from '../ports/directory.js';
import { isStorageError } from '../ports/errors.js';
import type { Mailbox, MailIndex, SpecialUse } from '../ports/mail-index.js';
import type { HeaderField } from './header-fields.js';

export type FilingReason = 'spam' | 'filter' | 'inbox';

async function getOrCreate(mailIndex: MailIndex, userId: string, name: string, specialUse: SpecialUse | null): Promise<Mailbox> {
  const existing = await mailIndex.getMailbox(userId, name);
  if (existing) return existing;
  try {
    return await mailIndex.createMailbox(userId, name, { specialUse, subscribed: true });
  } catch (error) {
    if (!isStorageError(error, 'already-exists')) throw error;
    const raced = await mailIndex.getMailbox(userId, name); // another delivery created it first
    if (!raced) throw error;
    return raced;
  }
}

/** First rule whose header contains its text, case-insensitively (the Directory port's contract). */
export function matchFilterRule(rules: readonly FilterRule[], headers: readonly HeaderField[]): FilterRule | null {
  return (
    rules.find((rule) =>
      headers.some((field) => field.name === rule.header.toLowerCase() && field.value.toLowerCase().includes(rule.contains.toLowerCase())),
    ) ?? null
  );
}

export async function chooseMailbox(
  mailIndex: MailIndex,
  userId: string,
  message: { readonly isSpam: boolean; readonly headers: readonly HeaderField[]; readonly filterRules: readonly FilterRule[] },
): Promise<{ readonly mailbox: Mailbox; readonly reason: FilingReason }> {
  if (message.isSpam) {
    const junk = (await mailIndex.listMailboxes(userId)).find((mailbox) => mailbox.specialUse === '\\Junk');
    return { mailbox: junk ?? (await getOrCreate(mailIndex, userId, 'Junk', '\\Junk')), reason: 'spam' };
  }
  const rule = matchFilterRule(message.filterRules, message.headers);
  if (rule) {
    const target = await mailIndex.getMailbox(userId, rule.mailbox);
    if (target) return { mailbox: target, reason: 'filter' }; // a rule pointing at a deleted mailbox falls back to INBOX
  }
  return { mailbox: await getOrCreate(mailIndex, userId, 'INBOX', null), reason: 'inbox' };
}
