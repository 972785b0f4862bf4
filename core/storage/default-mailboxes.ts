// The mailboxes every user starts with, with RFC 6154 special-use attributes so that clients
// (Thunderbird, Apple Mail, Outlook) file sent mail, drafts and deletions in the right place.
import { isStorageError } from '../ports/errors.js';
import type { MailIndex, Mailbox, SpecialUse } from '../ports/mail-index.js';

export const DEFAULT_MAILBOXES: readonly { readonly name: string; readonly specialUse: SpecialUse | null }[] = [
  { name: 'INBOX', specialUse: null },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Archive', specialUse: '\\Archive' },
];

/** Creates whichever default mailboxes are missing; safe to call on every login or delivery, and concurrently. */
export async function ensureDefaultMailboxes(index: MailIndex, userId: string): Promise<Mailbox[]> {
  const existing = new Map((await index.listMailboxes(userId)).map((mailbox) => [mailbox.name, mailbox]));
  const result: Mailbox[] = [];
  for (const { name, specialUse } of DEFAULT_MAILBOXES) {
    let mailbox = existing.get(name);
    if (!mailbox) {
      try {
        mailbox = await index.createMailbox(userId, name, { specialUse, subscribed: true });
      } catch (error) {
        // Another process created it between our list and our create.
        if (!isStorageError(error, 'already-exists')) throw error;
        mailbox = (await index.getMailbox(userId, name)) ?? undefined;
        if (!mailbox) throw error;
      }
    }
    result.push(mailbox);
  }
  return result;
}
