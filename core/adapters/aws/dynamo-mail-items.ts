// Item shapes of the mail index on DynamoDB (mailboxes, messages and vanished tables of
// table-design.ts), their keys, and the conversions to the port's types. Shared by DynamoMailIndex
// and DynamoChangeFeed, which reads the same mailbox counter items.
import { serializeEnvelope, type ImapEnvelopeText } from '../../mail/imap-envelope.js';
import type { Envelope } from '../../mail/message-structure.js';
import type { Mailbox, MessageSummary, SpecialUse } from '../../ports/mail-index.js';
import { envelopeSearchText } from '../../mime/search-text.js';
import type { ExpungeLog } from './dynamo-expunge-log.js';

export type Item = Record<string, unknown>;

export const mailboxKey = (mailboxId: string) => ({ pk: `mailbox#${mailboxId}`, sk: 'mailbox' });
export const mailboxNameKey = (userId: string, name: string) => ({ pk: `user#${userId}`, sk: `name#${name}` });
export const MAILBOX_NAME_PREFIX = 'name#';
export const quotaKey = (userId: string) => ({ pk: `user#${userId}`, sk: 'quota' });
export const uidValidityKey = (userId: string) => ({ pk: `user#${userId}`, sk: 'uidvalidity' });
/** Mailbox deletions not yet purged (dynamo-mailbox-purger.ts): one partition, as deletions are rare. */
export const MAILBOX_DELETIONS_PK = 'mailbox-deletions';
export const mailboxDeletionKey = (mailboxId: string) => ({ pk: MAILBOX_DELETIONS_PK, sk: `mailbox#${mailboxId}` });
export const idempotencyKey = (mailboxId: string, key: string) => ({ pk: `mailbox#${mailboxId}`, sk: `idempotency#${key}` });

/** The mailbox counter item: everything a STATUS or SELECT needs in one consistent GetItem. */
export interface MailboxItem extends Mailbox {
  /** Messages flagged \Deleted: EXPUNGE reads no message items when it is 0. */
  readonly deletedCount: number;
  /** When tombstones may have expired (dynamo-expunge-log.ts); null on items written before the log existed. */
  readonly expungeLog: ExpungeLog | null;
}

/**
 * The expunge log to reason with. An item from before the log existed may have tombstones of any
 * age: everything up to its HIGHESTMODSEQ counts as possibly forgotten (the first write fixes that value).
 */
export function expungeLogOf(mailbox: MailboxItem): ExpungeLog {
  return mailbox.expungeLog ?? { entries: [], prunedModseq: mailbox.highestModseq };
}

export function toMailboxItem(item: Item): MailboxItem {
  return {
    id: item.id as string,
    userId: item.userId as string,
    name: item.name as string,
    specialUse: (item.specialUse as SpecialUse | null | undefined) ?? null,
    subscribed: Boolean(item.subscribed),
    uidValidity: item.uidValidity as number,
    uidNext: item.uidNext as number,
    highestModseq: item.highestModseq as number,
    messageCount: item.messageCount as number,
    unseenCount: item.unseenCount as number,
    deletedCount: (item.deletedCount as number | undefined) ?? 0,
    sizeBytes: item.sizeBytes as number,
    // Mailboxes created before \Recent was kept have no attribute: nothing is recent in them yet.
    firstRecentUid: (item.firstRecentUid as number | undefined) ?? (item.uidNext as number),
    expungeLog: (item.expungeLog as ExpungeLog | undefined) ?? null,
  };
}

export function toMailbox(item: MailboxItem): Mailbox {
  const { deletedCount: _deletedCount, expungeLog: _expungeLog, ...mailbox } = item;
  return mailbox;
}

/** One message: small (~200 bytes) so that listing pages and UID maps stay cheap in read units. */
export interface MessageItem {
  readonly mailboxId: string;
  readonly uid: number;
  readonly modseq: number;
  readonly flags: string[];
  /** Epoch milliseconds. */
  readonly internalDate: number;
  readonly sizeBytes: number;
  readonly blobKey: string;
  /** Decoded, folded SUBJECT/FROM/TO/CC/BCC (fields the message lacks are left out), for searchHeaders. */
  readonly search: Record<string, string>;
  /** The serialised ENVELOPE (core/mail/imap-envelope.ts): header sync reads nothing else. Absent when too large. */
  readonly imapEnvelope?: string;
  /** Its UTF8=ACCEPT form, only where that differs. */
  readonly imapEnvelopeUtf8?: string;
}

/**
 * Envelopes up to this size ride on the message item (nearly all: a typical one is 200–600 bytes).
 * A larger one (long recipient lists) would make every listing page and flag write cost more read and
 * write units, so it stays in the structures table and is serialised when read.
 */
export const MAX_ITEM_ENVELOPE_BYTES = 2048;

/** The `imapEnvelope` attributes of a new message item (none when the envelope is too large). */
export function imapEnvelopeAttributes(envelope: Envelope): Pick<MessageItem, 'imapEnvelope' | 'imapEnvelopeUtf8'> {
  const { text, utf8Text } = serializeEnvelope(envelope);
  if (Buffer.byteLength(text) + (utf8Text === null ? 0 : Buffer.byteLength(utf8Text)) > MAX_ITEM_ENVELOPE_BYTES) return {};
  return utf8Text === null ? { imapEnvelope: text } : { imapEnvelope: text, imapEnvelopeUtf8: utf8Text };
}

/** The cached ENVELOPE of a message item, or null for an item without one (too large, or written before they were kept). */
export function imapEnvelopeOf(item: Item): ImapEnvelopeText | null {
  if (typeof item.imapEnvelope !== 'string') return null;
  return { text: item.imapEnvelope, utf8Text: typeof item.imapEnvelopeUtf8 === 'string' ? item.imapEnvelopeUtf8 : null };
}

/** The `search` attribute of a message item: what `searchHeaders` filters on with `contains()`. */
export function searchAttribute(envelope: Envelope): Record<string, string> {
  return Object.fromEntries(Object.entries(envelopeSearchText(envelope)).filter((entry): entry is [string, string] => entry[1] !== null));
}

export function toMessageSummary(item: Item): MessageSummary {
  return {
    uid: item.uid as number,
    modseq: item.modseq as number,
    flags: (item.flags as string[] | undefined) ?? [],
    internalDate: new Date(item.internalDate as number),
    sizeBytes: item.sizeBytes as number,
    blobKey: item.blobKey as string,
  };
}

export const SEEN = '\\Seen';
export const DELETED = '\\Deleted';

/** Counter deltas a set of flag changes makes to unseenCount and deletedCount. */
export function flagCounterDelta(before: readonly string[] | null, after: readonly string[] | null): { unseen: number; deleted: number } {
  const unseen = (flags: readonly string[] | null) => (flags && !flags.includes(SEEN) ? 1 : 0);
  const deleted = (flags: readonly string[] | null) => (flags && flags.includes(DELETED) ? 1 : 0);
  return { unseen: unseen(after) - unseen(before), deleted: deleted(after) - deleted(before) };
}

/** How many of `items` reference each blob (for the structures table's reference counts). */
export function countByBlob(items: readonly { readonly blobKey?: unknown }[], sign: 1 | -1 = 1): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.blobKey as string, (counts.get(item.blobKey as string) ?? 0) + sign);
  return counts;
}
