// The search side of the SQLite message writes: message_headers (SEARCH SUBJECT/FROM/TO/CC/BCC), the
// text indexer's queue (message_text_pending) and the text index rows (message_text, _start, _long). Called inside the same
// savepoint as the message write it follows, so search rows and messages never disagree.
import type { Envelope } from '../../mail/message-structure.js';
import { foldForSearch, type IndexedSearchHeader } from '../../mail/search-text.js';
import { envelopeSearchText } from '../../mime/search-text.js';
import type { PreparedStatement } from './sqlite-database.js';

/** Column of message_headers per field: a fixed map, never text from a client, goes into the SQL. */
const HEADER_COLUMNS: Record<IndexedSearchHeader, string> = {
  subject: 'subject',
  from: 'from_text',
  to: 'to_text',
  cc: 'cc_text',
  bcc: 'bcc_text',
};

export class SqliteSearchRows {
  readonly #sql: (sql: string) => PreparedStatement;

  constructor(sql: (sql: string) => PreparedStatement) {
    this.#sql = sql;
  }

  /** A message was inserted with rowid `messageId`: store its header text and queue it for the text indexer. */
  added(messageId: number | bigint, mailboxId: number, uid: number, envelope: Envelope): void {
    const text = envelopeSearchText(envelope);
    this.#sql('INSERT INTO message_headers (mailbox_id, uid, subject, from_text, to_text, cc_text, bcc_text) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      mailboxId,
      uid,
      text.subject,
      text.from,
      text.to,
      text.cc,
      text.bcc,
    );
    this.#queue(messageId, mailboxId, uid);
  }

  /** A message was copied: its header text is copied; the copy (a new rowid) is queued for indexing. */
  copied(messageId: number | bigint, source: { mailboxId: number; uid: number }, mailboxId: number, uid: number): void {
    this.#sql(
      `INSERT INTO message_headers (mailbox_id, uid, subject, from_text, to_text, cc_text, bcc_text)
       SELECT ?, ?, subject, from_text, to_text, cc_text, bcc_text FROM message_headers WHERE mailbox_id = ? AND uid = ?`,
    ).run(mailboxId, uid, source.mailboxId, source.uid);
    this.#queue(messageId, mailboxId, uid);
  }

  /** Messages were deleted (expunge, move, mailbox delete): their search rows go with them. */
  removed(mailboxId: number, messages: readonly { readonly id: number; readonly uid: number }[]): void {
    const headers = this.#sql('DELETE FROM message_headers WHERE mailbox_id = ? AND uid = ?');
    const pending = this.#sql('DELETE FROM message_text_pending WHERE message_id = ?');
    const text = this.#sql('DELETE FROM message_text WHERE rowid = ?');
    const start = this.#sql('DELETE FROM message_text_start WHERE rowid = ?');
    const long = this.#sql('DELETE FROM message_text_long WHERE message_id = ?');
    for (const message of messages) {
      headers.run(mailboxId, message.uid);
      if (pending.run(message.id).changes > 0) continue;
      text.run(message.id);
      start.run(message.id);
      long.run(message.id);
    }
  }

  searchHeaders(mailboxId: number, field: IndexedSearchHeader, needle: string): number[] {
    const column = HEADER_COLUMNS[field];
    // instr() on NULL (no such field) is NULL: not a match, not even for the empty needle.
    return this.#sql(`SELECT uid FROM message_headers WHERE mailbox_id = ? AND instr(${column}, ?) > 0 ORDER BY uid`)
      .pluck()
      .all(mailboxId, foldForSearch(needle)) as number[];
  }

  #queue(messageId: number | bigint, mailboxId: number, uid: number): void {
    this.#sql('INSERT INTO message_text_pending (message_id, mailbox_id, uid) VALUES (?, ?, ?)').run(messageId, mailboxId, uid);
  }
}
