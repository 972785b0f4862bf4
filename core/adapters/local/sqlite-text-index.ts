// TextIndex on SQLite FTS5 with the trigram tokenizer: substring semantics like IMAP SEARCH, for
// needles of 3+ characters. The table is contentless (the text stays in the blob) and keeps no
// positions (detail=column), so a needle's trigrams say "may contain" and SEARCH verifies longer
// needles against the message. Rows are queued at append (sqlite-search-rows.ts) and filled lazily.
import type { ExtractedMessageText, PendingMessageText, TextCandidates, TextIndex } from '../../ports/text-index.js';
import type { MessageStructure } from '../../mail/message-structure.js';
import { foldForSearch } from '../../mail/search-text.js';
import type { GroupCommitter } from './group-commit.js';
import { mailboxKey } from './mail-rows.js';
import { type PreparedStatement, type SqliteDatabase, statementCache } from './sqlite-database.js';
import { StorageError } from '../../ports/errors.js';

/** The trigram tokenizer indexes 3-character sequences; shorter needles cannot be looked up. */
const TRIGRAM = 3;
/** More trigrams narrow little further but make the query longer; the rest is left to verification. */
const MAX_QUERY_TRIGRAMS = 48;

/** FTS5 query: every distinct trigram of the folded needle as a quoted string, ANDed, optionally in one column. */
export function trigramQuery(needle: string, column: 'body' | null): string | null {
  const characters = Array.from(foldForSearch(needle));
  if (characters.length < TRIGRAM) return null;
  const trigrams = new Set<string>();
  for (let i = 0; i + TRIGRAM <= characters.length && trigrams.size < MAX_QUERY_TRIGRAMS; i++) {
    trigrams.add(characters.slice(i, i + TRIGRAM).join(''));
  }
  const terms = [...trigrams].map((trigram) => `"${trigram.replace(/"/gu, '""')}"`).join(' AND ');
  return column === null ? terms : `{${column}}: (${terms})`;
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
    const query = trigramQuery(needle, scope === 'body' ? 'body' : null);
    if (query === null) return null;
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
          .all(query, key) as number[];
        const unindexed = this.#sql('SELECT uid FROM message_text_pending WHERE mailbox_id = ? ORDER BY uid').pluck().all(key) as number[];
        const characters = Array.from(foldForSearch(needle));
        // One trigram is found exactly; text joins parts and lines with "\n", which no single part holds.
        return { candidates, unindexed, exact: characters.length === TRIGRAM && !needle.includes('\n') };
      })
      .deferred();
  }
}
