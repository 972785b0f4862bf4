// Mail index port: mailboxes and the messages in them — UIDs, MODSEQ, flags, cached structure.
// It is the heart of IMAP (RFC 3501/9051, CONDSTORE/QRESYNC RFC 7162) and POP3. Adapters:
// SqliteMailIndex and DynamoMailIndex; test/contracts proves they behave the same.
//
// Invariants every adapter keeps (design brief §4.3):
// - UIDs are strictly ascending per mailbox and never reused while UIDVALIDITY stands, even with
//   concurrent appends from several processes: once a reader has seen UIDNEXT=n, no message with a
//   UID < n appears later (allocation and insert commit together).
// - Every change (append, flag change, expunge) takes a new MODSEQ greater than every earlier one
//   in that mailbox; one operation may give all messages it changes the same MODSEQ (RFC 7162 §3.1).
// - Expunged UIDs are remembered with the MODSEQ of their expunge, for QRESYNC VANISHED, until
//   pruned; changesSince then says its `vanished` list may be partial (`vanishedComplete`).
// - A blob whose last referencing message goes (expunge, move, mailbox delete) is recorded as
//   unreferenced in the same transaction (see housekeeping.ts); an append of a key that a sweep
//   has claimed fails with StorageError('not-found').
import type { ImapEnvelopeText } from '../mail/imap-envelope.js';
import type { Envelope, MessageStructure } from '../mail/message-structure.js';
import type { IndexedSearchHeader } from '../mail/search-text.js';
import { StorageError } from './errors.js';

export type { IndexedSearchHeader } from '../mail/search-text.js';

/** RFC 6154 special-use attributes we create and honour. */
export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

/** IMAP hierarchy delimiter of mailbox names. Names are UTF-8; INBOX is always spelled `INBOX`. */
export const MAILBOX_DELIMITER = '/';

export interface Mailbox {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly specialUse: SpecialUse | null;
  readonly subscribed: boolean;
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly highestModseq: number;
  readonly messageCount: number;
  /** Messages without \Seen. */
  readonly unseenCount: number;
  /** Sum of message sizes (STATUS SIZE, RFC 8438). */
  readonly sizeBytes: number;
  /**
   * The first UID no session has claimed as \Recent yet (RFC 3501 §2.3.2): messages from here up to
   * uidNext - 1 are recent for STATUS RECENT and for the next read-write SELECT (see claimRecent).
   */
  readonly firstRecentUid: number;
}

export interface CreateMailboxOptions {
  readonly specialUse?: SpecialUse | null;
  readonly subscribed?: boolean;
}

/** What the index keeps per message without its structure: enough for FLAGS/UID/SIZE/INTERNALDATE/POP3. */
export interface MessageSummary {
  readonly uid: number;
  readonly modseq: number;
  /** System flags (`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`) and keywords, as stored. */
  readonly flags: readonly string[];
  readonly internalDate: Date;
  readonly sizeBytes: number;
  readonly blobKey: string;
}

/** A summary with its envelope only: what header sync and SEARCH SUBJECT/FROM/… need, without the MIME tree. */
export interface EnvelopedMessage extends MessageSummary {
  readonly envelope: Envelope;
}

/**
 * A summary with its ENVELOPE already serialised for IMAP (core/mail/imap-envelope.ts), as the index
 * cached it at append: a header sync reads these and concatenates strings, parsing nothing.
 */
export interface ImapEnvelopedMessage extends MessageSummary {
  readonly imapEnvelope: ImapEnvelopeText;
}

export interface StoredMessage extends MessageSummary {
  readonly structure: MessageStructure;
}

export interface NewMessage {
  readonly blobKey: string;
  readonly sizeBytes: number;
  readonly internalDate: Date;
  readonly flags?: readonly string[];
  readonly structure: MessageStructure;
  /**
   * Makes the append idempotent: a second append with the same key into the same mailbox returns
   * the first append's UID and adds nothing (the delivery queue is at-least-once).
   */
  readonly idempotencyKey?: string;
}

export interface AppendOptions {
  /** When set, refuse with StorageError('quota-exceeded') if the user's usage would pass it. */
  readonly quotaLimitBytes?: number | null;
}

/**
 * Most messages one appendMessages call takes: all of them commit in one transaction (on DynamoDB
 * one TransactWriteItems, which holds at most 100 items; each message takes two plus two per batch).
 */
export const MAX_APPEND_BATCH_MESSAGES = 32;

/** What every adapter's appendMessages refuses up front, before anything is written. */
export function checkAppendBatch(messages: readonly NewMessage[]): void {
  if (messages.length > MAX_APPEND_BATCH_MESSAGES) throw new StorageError('invalid', `at most ${MAX_APPEND_BATCH_MESSAGES} messages per batch`);
  if (messages.some((message) => message.idempotencyKey !== undefined)) throw new StorageError('invalid', 'a batch append takes no idempotency keys');
}

export interface AppendResult {
  readonly uid: number;
  readonly modseq: number;
  readonly uidValidity: number;
  /** True when the idempotency key had been used: nothing was added. */
  readonly duplicate: boolean;
}

/** A range of UIDs or of message sequence numbers (1-based positions in UID order), both inclusive. */
export type MessageRange =
  | { readonly by: 'uid'; readonly from: number; readonly to: number }
  | { readonly by: 'sequence'; readonly from: number; readonly to: number };

export interface ListMessagesQuery {
  /** Defaults to every message. */
  readonly range?: MessageRange;
  /** Page size; adapters cap it (at least 1,000 per page). */
  readonly limit?: number;
  /** Continue after this UID (the `nextAfterUid` of the previous page). */
  readonly afterUid?: number;
}

export interface MessagePage<T> {
  readonly messages: T[];
  /** Pass as `afterUid` to get the next page; null on the last page. */
  readonly nextAfterUid: number | null;
}

export type FlagOperation = 'add' | 'remove' | 'replace';

export interface FlagUpdate {
  readonly uids: readonly number[];
  readonly operation: FlagOperation;
  readonly flags: readonly string[];
  /** CONDSTORE (RFC 7162 §3.1.3): skip messages whose MODSEQ is above this. */
  readonly unchangedSince?: number;
}

export interface FlagUpdateResult {
  /** Messages whose flags changed, with their new MODSEQ. */
  readonly updated: readonly { readonly uid: number; readonly modseq: number; readonly flags: readonly string[] }[];
  /** UIDs refused because their MODSEQ was above `unchangedSince` (the MODIFIED response code). */
  readonly modified: readonly number[];
  readonly highestModseq: number;
}

export interface CopyResult {
  /** UIDVALIDITY of the destination, for COPYUID (RFC 4315). */
  readonly uidValidity: number;
  /** Source UID → new destination UID, in source UID order. */
  readonly mapping: readonly { readonly sourceUid: number; readonly destinationUid: number }[];
}

export interface ExpungeResult {
  readonly expunged: readonly MessageSummary[];
  readonly highestModseq: number;
}

export interface ChangesSince {
  readonly highestModseq: number;
  /** Messages present now whose MODSEQ is above the given one (new or with changed flags), UID order. */
  readonly changed: readonly MessageSummary[];
  /** UIDs expunged with a MODSEQ above the given one, ascending (those still remembered). */
  readonly vanished: readonly number[];
  /**
   * False when expunges above the given MODSEQ may have been forgotten (pruned, see
   * StorageHousekeeping): `vanished` is then partial, and the caller must treat every UID it knows of
   * that is no longer present as vanished (RFC 7162 §3.2.5.2).
   */
  readonly vanishedComplete: boolean;
}

/** UIDs claimed as \Recent by one session, both inclusive; empty when firstUid > lastUid. */
export interface RecentClaim {
  readonly firstUid: number;
  readonly lastUid: number;
}

export interface QuotaUsage {
  readonly usedBytes: number;
  readonly messageCount: number;
}

export interface MailIndex {
  /** Throws StorageError('already-exists'). */
  createMailbox(userId: string, name: string, options?: CreateMailboxOptions): Promise<Mailbox>;
  getMailbox(userId: string, name: string): Promise<Mailbox | null>;
  getMailboxById(mailboxId: string): Promise<Mailbox | null>;
  listMailboxes(userId: string): Promise<Mailbox[]>;
  /** Renames the mailbox and its inferiors (`from/…`); UIDVALIDITY stays. */
  renameMailbox(userId: string, from: string, to: string): Promise<void>;
  /**
   * Deletes the mailbox and its messages (not inferiors); returns the blob keys no longer referenced
   * anywhere. They are already recorded as unreferenced: the housekeeper deletes them after its grace period.
   */
  deleteMailbox(userId: string, name: string): Promise<{ readonly blobKeys: readonly string[] }>;
  setSubscribed(userId: string, name: string, subscribed: boolean): Promise<void>;

  appendMessage(mailboxId: string, message: NewMessage, options?: AppendOptions): Promise<AppendResult>;
  /**
   * Appends up to MAX_APPEND_BATCH_MESSAGES messages all or none (IMAP MULTIAPPEND, RFC 3502): on
   * any failure (quota, a reclaimed blob, storage) no message is added. UIDs ascend in the given
   * order; results come in that order. No idempotency keys: StorageError('invalid') if one is given,
   * or if there are too many messages.
   */
  appendMessages(mailboxId: string, messages: readonly NewMessage[], options?: AppendOptions): Promise<AppendResult[]>;
  /** All UIDs in ascending order: the seed of an IMAP session's sequence-number map. */
  listUids(mailboxId: string): Promise<number[]>;
  listMessages(mailboxId: string, query?: ListMessagesQuery): Promise<MessagePage<MessageSummary>>;
  getMessages(mailboxId: string, uids: readonly number[]): Promise<StoredMessage[]>;
  /** Like getMessages (UID order, unknown UIDs skipped) but with only the envelope of each structure. */
  getEnvelopes(mailboxId: string, uids: readonly number[]): Promise<EnvelopedMessage[]>;
  /**
   * Like getEnvelopes, with each ENVELOPE as `serializeEnvelope` writes it, cached with the message
   * when it was appended (messages stored before the cache existed get it computed, same bytes).
   */
  getImapEnvelopes(mailboxId: string, uids: readonly number[]): Promise<ImapEnvelopedMessage[]>;
  /**
   * UIDs (ascending) of the messages whose `field`, RFC 2047-decoded, contains `needle`
   * case-insensitively (`foldForSearch`); an empty needle matches every message that has the field
   * (RFC 3501 §6.4.4 SEARCH SUBJECT/FROM/TO/CC/BCC/HEADER). Answered from the index in one query.
   */
  searchHeaders(mailboxId: string, field: IndexedSearchHeader, needle: string): Promise<number[]>;
  updateFlags(mailboxId: string, update: FlagUpdate): Promise<FlagUpdateResult>;
  copyMessages(sourceMailboxId: string, uids: readonly number[], destinationMailboxId: string): Promise<CopyResult>;
  /** Atomically copies then expunges from the source (RFC 6851). */
  moveMessages(sourceMailboxId: string, uids: readonly number[], destinationMailboxId: string): Promise<CopyResult & { readonly sourceHighestModseq: number }>;
  /** Removes messages flagged \Deleted, only among `uids` when given (UID EXPUNGE, RFC 4315). */
  expunge(mailboxId: string, uids?: readonly number[]): Promise<ExpungeResult>;
  changesSince(mailboxId: string, modseq: number): Promise<ChangesSince>;
  getQuotaUsage(userId: string): Promise<QuotaUsage>;
  /**
   * \Recent (RFC 3501 §2.3.2): atomically moves the mailbox's firstRecentUid up to uidNext and returns
   * the UIDs it passed over, so every message is claimed by exactly one caller, across processes
   * (Dovecot keeps the same "first recent UID" per mailbox). A read-write SELECT claims; EXAMINE does not.
   */
  claimRecent(mailboxId: string): Promise<RecentClaim>;
}
