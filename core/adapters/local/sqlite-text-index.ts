// TextIndex on SQLite FTS5 with the trigram tokenizer: substring semantics like IMAP SEARCH, for
// needles of 3+ characters. Two contentless tables (the text stays in the blob), both rowid = message:
// * message_text, without positions (detail=column): each column's trigrams, for the whole text.
//   Every trigram of a needle in one column says "may hold it"; it keeps the index small.
// * message_text_start, with positions (detail=full), for the first TEXT_START_CHARS characters of
//   each column: the needle as a phrase of consecutive trigrams says "holds it". Messages whose text
//   is longer are listed in message_text_long.
// So a candidate is a match when its start holds the phrase, a non-match when its whole text is in
// the start and does not, and is verified by reading only when it is long and the start does not
// settle it. Rows are queued at append (sqlite-search-rows.ts) and filled lazily.
import type { ExtractedMessageText, PendingMessageText, TextCandidates, TextIndex } from '../../ports/text-index.js';
import type { MessageStructure } from '../../mail/message-structure.js';
import type { GroupCommitter } from './group-commit.js';
import { mailboxKey } from './mail-rows.js';
import { type PreparedStatement, type SqliteDatabase, statementCache } from './sqlite-database.js';
import { StorageError } from '../../ports/errors.js';
import { trigramQueries } from './trigram-queries.js';

/**
 * Characters of each column indexed with positions. Positions cost about a byte per character, so
 * the whole text would make the index as large as the mail's text; a word found in most messages
 * (where reading each one would be slow) is nearly always found in their first 2,048 characters.
 */
export const TEXT_START_CHARS = 2_048;

/** The first TEXT_START_CHARS characters, never ending inside a surrogate pair. */
function startOf(text: string): string {
  if (text.length <= TEXT_START_CHARS) return text;
  const last = text.charCodeAt(TEXT_START_CHARS - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? TEXT_START_CHARS - 1 : TEXT_START_CHARS);
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
      const insertStart = this.#sql('INSERT INTO message_text_start (rowid, header, body) VALUES (?, ?, ?)');
      const markLong = this.#sql('INSERT INTO message_text_long (message_id) VALUES (?)');
      for (const text of texts) {
        const id = Number(text.messageRef);
        if ('skipped' in text) skip.run(id);
        // No pending row: expunged meanwhile, or another process indexed it first.
        else if (claim.run(id).changes === 1) {
          insert.run(id, text.header, text.body);
          const [header, body] = [startOf(text.header), startOf(text.body)];
          insertStart.run(id, header, body);
          if (header.length < text.header.length || body.length < text.body.length) markLong.run(id);
        }
      }
    });
  }

  async findCandidates(mailboxId: string, scope: 'text' | 'body', needle: string): Promise<TextCandidates | null> {
    const queries = trigramQueries(needle, scope === 'body' ? 'body' : null);
    if (queries === null) return null;
    const key = mailboxKey(mailboxId);
    return this.#db
      .transaction(() => {
        if (key === null || this.#sql('SELECT 1 FROM mailboxes WHERE id = ?').get(key) === undefined) {
          throw new StorageError('not-found', `no mailbox ${mailboxId}`);
        }
        // The trigram lists are shared by every mailbox; the join keeps this mailbox's messages.
        const rows = this.#sql(
          `SELECT m.uid, EXISTS (SELECT 1 FROM message_text_long l WHERE l.message_id = m.id) AS long
           FROM message_text t JOIN messages m ON m.id = t.rowid WHERE message_text MATCH ? AND m.mailbox_id = ? ORDER BY m.uid`,
        ).all(queries.anyOrder, key) as { uid: number; long: 0 | 1 }[];
        const held = new Set(
          queries.phrase === null || queries.singleTrigram
            ? []
            : (this.#sql('SELECT m.uid FROM message_text_start s JOIN messages m ON m.id = s.rowid WHERE message_text_start MATCH ? AND m.mailbox_id = ?')
                .pluck()
                .all(queries.phrase, key) as number[]),
        );
        const matches: number[] = [];
        const candidates: number[] = [];
        for (const row of rows) {
          if (queries.singleTrigram || held.has(row.uid)) matches.push(row.uid);
          // The start holds the whole text, and not the phrase: not a match.
          else if (queries.phrase === null || row.long === 1) candidates.push(row.uid);
        }
        const unindexed = this.#sql('SELECT uid FROM message_text_pending WHERE mailbox_id = ? ORDER BY uid').pluck().all(key) as number[];
        return { matches, candidates, unindexed };
      })
      .deferred();
  }
}
