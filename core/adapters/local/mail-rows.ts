// Row shapes of the mailboxes and messages tables and their conversion to port types; mailbox name
// and flag normalisation shared by the SQLite mail index's reads and writes.
import { serializeEnvelope } from '../../mail/imap-envelope.js';
import type { Envelope, MessageStructure } from '../../mail/message-structure.js';
import { StorageError } from '../../ports/errors.js';
import { MAILBOX_DELIMITER, type EnvelopedMessage, type ImapEnvelopedMessage, type Mailbox, type MessageSummary, type SpecialUse, type StoredMessage } from '../../ports/mail-index.js';

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
  envelope?: string | null;
  /** message_envelopes columns: null for a message an older version stored without them. */
  envelope_text?: string | null;
  envelope_utf8_text?: string | null;
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
    flags: parseFlags(row.flags),
    internalDate: new Date(row.internal_date),
    sizeBytes: row.size_bytes,
    blobKey: row.blob_key,
  };
}

function parseFlags(json: string): string[] {
  return json === '[]' ? [] : (JSON.parse(json) as string[]);
}

export function toEnvelopedMessage(row: MessageRow): EnvelopedMessage {
  return { ...toSummary(row), envelope: JSON.parse(row.envelope ?? 'null') as Envelope };
}

/** The cached serialised ENVELOPE, or (rows written without one) the envelope JSON serialised now. */
export function toImapEnvelopedMessage(row: MessageRow): ImapEnvelopedMessage {
  const imapEnvelope =
    row.envelope_text === null || row.envelope_text === undefined
      ? serializeEnvelope(JSON.parse(row.envelope ?? 'null') as Envelope)
      : { text: row.envelope_text, utf8Text: row.envelope_utf8_text ?? null };
  // Written out rather than spread from toSummary: a header sync builds 10,000 of these.
  return {
    uid: row.uid,
    modseq: row.modseq,
    flags: parseFlags(row.flags),
    internalDate: new Date(row.internal_date),
    sizeBytes: row.size_bytes,
    blobKey: row.blob_key,
    imapEnvelope,
  };
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
