// Which of a user's mailboxes a message is filed into: spam to the \Junk mailbox (RFC 6154), else the
// first matching filter rule's mailbox, else INBOX. Missing default mailboxes (INBOX, Junk, …) are created on first delivery.
import type { FilterRule } from '../ports/directory.js';
import type { Mailbox, MailIndex } from '../ports/mail-index.js';
import { ensureDefaultMailboxes } from '../storage/default-mailboxes.js';
import type { HeaderField } from './header-fields.js';

export type FilingReason = 'spam' | 'filter' | 'inbox';

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
  const defaults = await ensureDefaultMailboxes(mailIndex, userId);
  const byName = (name: string) => defaults.find((mailbox) => mailbox.name === name)!;
  if (message.isSpam) return { mailbox: byName('Junk'), reason: 'spam' }; // the default Junk carries \Junk (RFC 6154)
  const rule = matchFilterRule(message.filterRules, message.headers);
  if (rule) {
    const target = await mailIndex.getMailbox(userId, rule.mailbox);
    if (target) return { mailbox: target, reason: 'filter' }; // a rule pointing at a deleted mailbox falls back to INBOX
  }
  return { mailbox: byName('INBOX'), reason: 'inbox' };
}
