// Row shapes of the mailboxes and messages tables and their conversion to port types; mailbox name
// and flag normalisation shared by the SQLite mail index's reads and writes.
import type { Envelope, MessageStructure } from '../../mail/message-structure.js';
import { StorageError } from '../../ports/errors.js';
import { MAILBOX_DELIMITER, type EnvelopedMessage, type Mailbox, type MessageSummary, type SpecialUse, type StoredMessage } from '../../ports/mail-index.js';

export interface MailboxRow {
  id: number;
  user_id: string;
  name: string;
  special_use: string | null;
  subscribed: number;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  message_count: number;
  unseen_count: number;
  size_bytes: number;
  first_recent_uid: number;
  /** Expunged UIDs with a MODSEQ up to this were pruned from `vanished`. */
  vanished_pruned_modseq: number;
}

export interface MessageRow {
  uid: number;
  modseq: number;
  flags: string;
  internal_date: number;
  size_bytes: number;
  blob_key: string;
  structure?: string;
  /** The envelope's JSON, extracted from `structure` by SQLite. */
  envelope?: string;
}

/** Columns of a summary (no cached structure: it can be large and most listings do not need it). */
export const SUMMARY_COLUMNS = 'uid, modseq, flags, internal_date, size_bytes, blob_key';

export function toMailbox(row: MailboxRow): Mailbox {
  return {
    id: String(row.id),
    userId: row.user_id,
    name: row.name,
    specialUse: row.special_use as SpecialUse | null,
    subscribed: row.subscribed === 1,
    uidValidity: row.uid_validity,
    uidNext: row.uid_next,
    highestModseq: row.highest_modseq,
    messageCount: row.message_count,
    unseenCount: row.unseen_count,
    sizeBytes: row.size_bytes,
    firstRecentUid: row.first_recent_uid,
  };
}

export function toSummary(row: MessageRow): MessageSummary {
  return {
    uid: row.uid,
    modseq: row.modseq,
    flags: row.flags === '[]' ? [] : (JSON.parse(row.flags) as string[]),
    internalDate: new Date(row.internal_date),
    sizeBytes: row.size_bytes,
    blobKey: row.blob_key,
  };
}

export function toEnvelopedMessage(row: MessageRow): EnvelopedMessage {
  return { ...toSummary(row), envelope: JSON.parse(row.envelope ?? 'null') as Envelope };
}

export function toStoredMessage(row: MessageRow): StoredMessage {
  return { ...toSummary(row), structure: JSON.parse(row.structure ?? 'null') as MessageStructure };
}

/** Mailbox ids are the table's integer key as a decimal string; anything else names no mailbox. */
export function mailboxKey(mailboxId: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(mailboxId) ? Number(mailboxId) : null;
}

/**
 * INBOX is case-insensitive, including as the first level of its inferiors (RFC 3501 §5.1); other
 * names are kept as given. Empty levels (`a//b`, leading or trailing `/`) are refused.
 */
export function normalizeMailboxName(name: string): string {
  const levels = name.split(MAILBOX_DELIMITER);
  if (name.length === 0 || name.length > 1000 || levels.some((level) => level.length === 0) || hasControlCharacter(name)) {
    throw new StorageError('invalid', `bad mailbox name ${JSON.stringify(name)}`);
  }
  if (levels[0]!.toUpperCase() === 'INBOX') levels[0] = 'INBOX';
  return levels.join(MAILBOX_DELIMITER);
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export function hasSeen(flags: readonly string[]): boolean {
  return flags.includes('\\Seen');
}
