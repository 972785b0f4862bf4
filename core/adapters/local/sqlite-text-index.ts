// TextIndex on SQLite FTS5 with the trigram tokenizer: substring semantics like IMAP SEARCH, for
// needles of 3+ characters. The table is contentless (the text stays in the blob) and keeps positions
// (detail=full), so a needle is looked up as a phrase of consecutive trigrams: the rows it finds hold
// it as a substring of one column, which is exactly what a scan of the message would find.
// Rows are queued at append (sqlite-search-rows.ts) and filled lazily.
import type { ExtractedMessageText, PendingMessageText, TextCandidates, TextIndex } from '../../ports/text-index.js';
import type { MessageStructure } from '../../mail/message-structure.js';
import { foldForSearch } from '../../mail/search-text.js';
import type { GroupCommitter } from './group-commit.js';
import { mailboxKey } from './mail-rows.js';
import { type PreparedStatement, type SqliteDatabase, statementCache } from './sqlite-database.js';
import { StorageError } from '../../ports/errors.js';

/** The trigram tokenizer indexes 3-character sequences; shorter needles cannot be looked up. */
const TRIGRAM = 3;
/**
 * Characters of a needle looked up as one phrase. Longer needles (rare: a pasted sentence) look up
 * their first MAX_PHRASE_CHARS, which already narrows to a few messages, and those are verified.
 */
const MAX_PHRASE_CHARS = 64;
/**
 * Needles whose phrase rows must still be verified by reading: a line break (the indexer joins parts
 * and header lines with "\n", across which a scan never matches) and lone surrogates (not text the
 * index can hold; in a `u` regex a surrogate only matches when it is unpaired).
 */
const NOT_EXACT = /[\n\uD800-\uDFFF]/u;

export interface TrigramLookup {
  /** FTS5 query: the folded needle as one quoted phrase, optionally limited to one column. */
  readonly query: string;
  /** True when the rows it finds are exactly the messages holding the needle. */
  readonly exact: boolean;
}

/** How to look `needle` up, or null when it is too short for trigrams (every message must be read). */
export function trigramLookup(needle: string, column: 'body' | null): TrigramLookup | null {
  const characters = Array.from(foldForSearch(needle));
  // NUL cannot travel inside an FTS5 query string: such a needle is searched by reading.
  if (characters.length < TRIGRAM || needle.includes('\0')) return null;
  const quoted = `"${characters.slice(0, MAX_PHRASE_CHARS).join('').replace(/"/gu, '""')}"`;
  const exact = characters.length <= MAX_PHRASE_CHARS && !NOT_EXACT.test(needle);
  return { query: column === null ? quoted : `{${column}}: ${quoted}`, exact };
}

export class SqliteTextIndex implements TextIndex {
  readonly #db: SqliteDatabase;
  readonly #sql: (sql: string) => PreparedStatement;
  readonly #committer: GroupCommitter;

  constructor(db: SqliteDatabase, committer: GroupCommitter) {
    this.#db = db;
    this.#sql = statementCache(db);
    this.#committer = committer;
  }

  async pendingMessages(limit: number): Promise<PendingMessageText[]> {
    const rows = this.#sql(
      `SELECT p.message_id, m.blob_key, m.structure FROM message_text_pending p JOIN messages m ON m.id = p.message_id
       WHERE p.skipped = 0 ORDER BY p.message_id LIMIT ?`,
    ).all(limit) as { message_id: number; blob_key: string; structure: string }[];
    return rows.map((row) => ({
      messageRef: String(row.message_id),
      blobKey: row.blob_key,
      structure: JSON.parse(row.structure) as MessageStructure,
    }));
  }

  async storeMessageText(texts: readonly ExtractedMessageText[]): Promise<void> {
    return this.#committer.write(() => {
      const skip = this.#sql('UPDATE message_text_pending SET skipped = 1 WHERE message_id = ?');
      const claim = this.#sql('DELETE FROM message_text_pending WHERE message_id = ? AND skipped = 0');
      const insert = this.#sql('INSERT INTO message_text (rowid, header, body) VALUES (?, ?, ?)');
      for (const text of texts) {
        const id = Number(text.messageRef);
        if ('skipped' in text) skip.run(id);
        // No pending row: expunged meanwhile, or another process indexed it first.
        else if (claim.run(id).changes === 1) insert.run(id, text.header, text.body);
      }
    });
  }

  async findCandidates(mailboxId: string, scope: 'text' | 'body', needle: string): Promise<TextCandidates | null> {
    const lookup = trigramLookup(needle, scope === 'body' ? 'body' : null);
    if (lookup === null) return null;
    const key = mailboxKey(mailboxId);
    return this.#db
      .transaction(() => {
        if (key === null || this.#sql('SELECT 1 FROM mailboxes WHERE id = ?').get(key) === undefined) {
          throw new StorageError('not-found', `no mailbox ${mailboxId}`);
        }
        // The trigram list is shared by every mailbox; the join keeps this mailbox's messages.
        const candidates = this.#sql(
          'SELECT m.uid FROM message_text t JOIN messages m ON m.id = t.rowid WHERE message_text MATCH ? AND m.mailbox_id = ? ORDER BY m.uid',
        )
          .pluck()
          .all(lookup.query, key) as number[];
        const unindexed = this.#sql('SELECT uid FROM message_text_pending WHERE mailbox_id = ? ORDER BY uid').pluck().all(key) as number[];
        return { candidates, unindexed, exact: lookup.exact };
      })
      .deferred();
  }
}
