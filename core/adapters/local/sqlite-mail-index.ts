// MailIndex on SQLite. Writes go through the group committer (one fsync per batch of concurrent
// writes); each runs in a savepoint inside a BEGIN IMMEDIATE transaction, which also serialises
// writers across processes, so a UID is allocated and its message inserted in one commit.
// Reads that combine several statements run in one read transaction (a consistent WAL snapshot).
import type {
  AppendOptions,
  AppendResult,
  ChangesSince,
  CopyResult,
  CreateMailboxOptions,
  EnvelopedMessage,
  ExpungeResult,
  ImapEnvelopedMessage,
  FlagUpdate,
  FlagUpdateResult,
  IndexedSearchHeader,
  ListMessagesQuery,
  MailIndex,
  Mailbox,
  MessagePage,
  MessageSummary,
  NewMessage,
  QuotaUsage,
  RecentClaim,
  StoredMessage,
} from '../../ports/mail-index.js';
import { checkAppendBatch } from '../../ports/mail-index.js';
import { StorageError } from '../../ports/errors.js';
import type { GroupCommitter } from './group-commit.js';
import {
  type MailboxRow,
  type MessageRow,
  SUMMARY_COLUMNS,
  mailboxKey,
  normalizeMailboxName,
  toEnvelopedMessage,
  toImapEnvelopedMessage,
  toMailbox,
  toStoredMessage,
  toSummary,
} from './mail-rows.js';
import { type PreparedStatement, type SqliteDatabase, statementCache } from './sqlite-database.js';
import { SqliteMessageWrites } from './sqlite-message-writes.js';
import { SqliteMessageRanges } from './sqlite-message-ranges.js';

export class SqliteMailIndex implements MailIndex {
  readonly #db: SqliteDatabase;
  readonly #sql: (sql: string) => PreparedStatement;
  readonly #committer: GroupCommitter;
  readonly #writes: SqliteMessageWrites;
  readonly #ranges: SqliteMessageRanges;

  constructor(db: SqliteDatabase, committer: GroupCommitter) {
    this.#db = db;
    this.#sql = statementCache(db);
    this.#committer = committer;
    this.#writes = new SqliteMessageWrites(this.#sql);
    this.#ranges = new SqliteMessageRanges(this.#sql);
  }

  async createMailbox(userId: string, name: string, options: CreateMailboxOptions = {}): Promise<Mailbox> {
    const normalized = normalizeMailboxName(name);
    return this.#committer.write(() => {
      if (this.#sql('SELECT 1 FROM mailboxes WHERE user_id = ? AND name = ?').get(userId, normalized)) {
        throw new StorageError('already-exists', `mailbox ${normalized} already exists`);
      }
      const row = this.#sql(
        `INSERT INTO mailboxes (user_id, name, special_use, subscribed, uid_validity, uid_next, highest_modseq)
         VALUES (?, ?, ?, ?, ?, 1, 1) RETURNING *`,
      ).get(userId, normalized, options.specialUse ?? null, options.subscribed === false ? 0 : 1, this.#nextUidValidity()) as MailboxRow;
      return toMailbox(row);
    });
  }

  async getMailbox(userId: string, name: string): Promise<Mailbox | null> {
    const row = this.#sql('SELECT * FROM mailboxes WHERE user_id = ? AND name = ?').get(userId, normalizeMailboxName(name)) as
      MailboxRow | undefined;
    return row ? toMailbox(row) : null;
  }

  async getMailboxById(mailboxId: string): Promise<Mailbox | null> {
    const key = mailboxKey(mailboxId);
    const row = key === null ? undefined : (this.#sql('SELECT * FROM mailboxes WHERE id = ?').get(key) as MailboxRow | undefined);
    return row ? toMailbox(row) : null;
  }

  async listMailboxes(userId: string): Promise<Mailbox[]> {
    return (this.#sql('SELECT * FROM mailboxes WHERE user_id = ? ORDER BY name').all(userId) as MailboxRow[]).map(toMailbox);
  }

  async renameMailbox(userId: string, from: string, to: string): Promise<void> {
    const source = normalizeMailboxName(from);
    const target = normalizeMailboxName(to);
    // RFC 3501 §6.3.5 gives renaming INBOX a special meaning (move its messages); callers do that with moveMessages.
    if (source === 'INBOX' || target === 'INBOX') throw new StorageError('invalid', 'INBOX cannot be renamed here');
    if (target === source || target.startsWith(`${source}/`)) throw new StorageError('invalid', `cannot rename ${source} into itself`);
    return this.#committer.write(() => {
      const renamed = this.#sql('SELECT id, name FROM mailboxes WHERE user_id = ? AND (name = ? OR substr(name, 1, ?) = ?)').all(
        userId,
        source,
        source.length + 1,
        `${source}/`,
      ) as { id: number; name: string }[];
      if (!renamed.some((row) => row.name === source)) throw new StorageError('not-found', `no mailbox ${source}`);
      const update = this.#sql('UPDATE mailboxes SET name = ? WHERE id = ?');
      for (const row of renamed) {
        const newName = target + row.name.slice(source.length);
        if (this.#sql('SELECT 1 FROM mailboxes WHERE user_id = ? AND name = ?').get(userId, newName)) {
          throw new StorageError('already-exists', `mailbox ${newName} already exists`);
        }
        update.run(newName, row.id);
      }
    });
  }

  async deleteMailbox(userId: string, name: string): Promise<{ readonly blobKeys: readonly string[] }> {
    const normalized = normalizeMailboxName(name);
    if (normalized === 'INBOX') throw new StorageError('invalid', 'INBOX cannot be deleted'); // RFC 3501 §6.3.4
    return this.#committer.write(() => {
      const mailbox = this.#sql('SELECT * FROM mailboxes WHERE user_id = ? AND name = ?').get(userId, normalized) as MailboxRow | undefined;
      if (!mailbox) throw new StorageError('not-found', `no mailbox ${normalized}`);
      const removed = this.#sql('DELETE FROM messages WHERE mailbox_id = ? RETURNING id, uid, blob_key').all(mailbox.id) as
        { id: number; uid: number; blob_key: string }[];
      this.#writes.searchRows.removed(mailbox.id, removed);
      const blobKeys = removed.map((row) => row.blob_key);
      this.#sql('DELETE FROM append_keys WHERE mailbox_id = ?').run(mailbox.id);
      this.#sql('DELETE FROM vanished WHERE mailbox_id = ?').run(mailbox.id);
      this.#sql('DELETE FROM mailboxes WHERE id = ?').run(mailbox.id);
      this.#sql('UPDATE quota_usage SET used_bytes = used_bytes - ?, message_count = message_count - ? WHERE user_id = ?').run(
        mailbox.size_bytes,
        mailbox.message_count,
        userId,
      );
      return { blobKeys: this.#writes.recordUnreferenced(blobKeys) };
    });
  }

  async setSubscribed(userId: string, name: string, subscribed: boolean): Promise<void> {
    const normalized = normalizeMailboxName(name);
    return this.#committer.write(() => {
      const changed = this.#sql('UPDATE mailboxes SET subscribed = ? WHERE user_id = ? AND name = ?').run(
        subscribed ? 1 : 0,
        userId,
        normalized,
      );
      if (changed.changes === 0) throw new StorageError('not-found', `no mailbox ${normalized}`);
    });
  }

  async appendMessage(mailboxId: string, message: NewMessage, options?: AppendOptions): Promise<AppendResult> {
    return this.#committer.write(() => this.#writes.append(mailboxId, message, options));
  }

  async appendMessages(mailboxId: string, messages: readonly NewMessage[], options?: AppendOptions): Promise<AppendResult[]> {
    checkAppendBatch(messages);
    // One savepoint: a message that throws (quota, reclaimed blob) rolls the ones before it back too.
    return this.#committer.write(() => messages.map((message) => this.#writes.append(mailboxId, message, options)));
  }

  async listUids(mailboxId: string): Promise<number[]> {
    return this.#readTransaction(() => {
      const mailbox = this.#writes.mailboxRow(mailboxId);
      return this.#sql('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid').pluck().all(mailbox.id) as number[];
    });
  }

  async listMessages(mailboxId: string, query: ListMessagesQuery = {}): Promise<MessagePage<MessageSummary>> {
    return this.#readTransaction(() => this.#ranges.page(this.#writes.mailboxRow(mailboxId), query));
  }

  async getMessages(mailboxId: string, uids: readonly number[]): Promise<StoredMessage[]> {
    return this.#readTransaction(() => this.#rowsByUid(mailboxId, uids, 'structure').map(toStoredMessage));
  }

  async getEnvelopes(mailboxId: string, uids: readonly number[]): Promise<EnvelopedMessage[]> {
    // json_extract hands back only the envelope's JSON: the MIME tree is neither copied out nor parsed.
    return this.#readTransaction(() => this.#rowsByUid(mailboxId, uids, "json_extract(structure, '$.envelope') AS envelope").map(toEnvelopedMessage));
  }

  async getImapEnvelopes(mailboxId: string, uids: readonly number[]): Promise<ImapEnvelopedMessage[]> {
    return this.#readTransaction(() => {
      // The summary from the covering index, the cached text by rowid: no wide message row is read.
      const rows = this.#rowsByUid(
        mailboxId,
        uids,
        'text AS envelope_text, utf8_text AS envelope_utf8_text',
        'LEFT JOIN message_envelopes ON message_envelopes.message_id = messages.id',
      );
      // A message stored without a cached envelope (by an older version on the same data dir) is serialised from its structure.
      const uncached = rows.filter((row) => row.envelope_text === null);
      if (uncached.length > 0) {
        const json = this.#rowsByUid(mailboxId, uncached.map((row) => row.uid), "json_extract(structure, '$.envelope') AS envelope");
        const envelopes = new Map(json.map((row) => [row.uid, row.envelope]));
        for (const row of uncached) row.envelope = envelopes.get(row.uid) ?? null;
      }
      return rows.map(toImapEnvelopedMessage);
    });
  }

  /**
   * Rows for `uids` in UID order. A run of consecutive UIDs (what FETCH 1:* asks for, in batches)
   * is one range scan of the primary key; any other set is joined from a JSON array.
   */
  #rowsByUid(mailboxId: string, uids: readonly number[], extraColumns: string, join = ''): MessageRow[] {
    const mailbox = this.#writes.mailboxRow(mailboxId);
    if (uids.length === 0) return [];
    const first = uids[0] as number;
    const last = uids[uids.length - 1] as number;
    if (last - first === uids.length - 1 && uids.every((uid, i) => uid === first + i)) {
      return this.#sql(`SELECT ${SUMMARY_COLUMNS}, ${extraColumns} FROM messages ${join} WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid`).all(
        mailbox.id,
        first,
        last,
      ) as MessageRow[];
    }
    return this.#sql(
      `SELECT ${SUMMARY_COLUMNS}, ${extraColumns} FROM messages ${join} WHERE mailbox_id = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid`,
    ).all(mailbox.id, JSON.stringify(uids)) as MessageRow[];
  }

  async searchHeaders(mailboxId: string, field: IndexedSearchHeader, needle: string): Promise<number[]> {
    return this.#readTransaction(() => this.#writes.searchRows.searchHeaders(this.#writes.mailboxRow(mailboxId).id, field, needle));
  }

  async updateFlags(mailboxId: string, update: FlagUpdate): Promise<FlagUpdateResult> {
    return this.#committer.write(() => this.#writes.updateFlags(mailboxId, update));
  }

  async copyMessages(sourceMailboxId: string, uids: readonly number[], destinationMailboxId: string): Promise<CopyResult> {
    return this.#committer.write(() => {
      const { uidValidity, mapping } = this.#writes.copy(sourceMailboxId, uids, destinationMailboxId);
      return { uidValidity, mapping };
    });
  }

  async moveMessages(
    sourceMailboxId: string,
    uids: readonly number[],
    destinationMailboxId: string,
  ): Promise<CopyResult & { readonly sourceHighestModseq: number }> {
    return this.#committer.write(() => {
      const { uidValidity, mapping, copied } = this.#writes.copy(sourceMailboxId, uids, destinationMailboxId);
      const removed = this.#writes.remove(
        sourceMailboxId,
        copied.map((message) => message.uid),
      );
      return { uidValidity, mapping, sourceHighestModseq: removed.highestModseq };
    });
  }

  async expunge(mailboxId: string, uids?: readonly number[]): Promise<ExpungeResult> {
    return this.#committer.write(() => this.#writes.remove(mailboxId, this.#writes.deletedUids(mailboxId, uids)));
  }

  async changesSince(mailboxId: string, modseq: number): Promise<ChangesSince> {
    return this.#readTransaction(() => {
      const mailbox = this.#writes.mailboxRow(mailboxId);
      const changed = this.#sql(`SELECT ${SUMMARY_COLUMNS} FROM messages WHERE mailbox_id = ? AND modseq > ? ORDER BY uid`).all(
        mailbox.id,
        modseq,
      ) as MessageRow[];
      const vanished = this.#sql('SELECT uid FROM vanished WHERE mailbox_id = ? AND modseq > ? ORDER BY uid')
        .pluck()
        .all(mailbox.id, modseq) as number[];
      // Expunges up to vanished_pruned_modseq may have been forgotten (SqliteHousekeeping.pruneExpungedUids).
      const vanishedComplete = modseq >= mailbox.vanished_pruned_modseq;
      return { highestModseq: mailbox.highest_modseq, changed: changed.map(toSummary), vanished, vanishedComplete };
    });
  }

  async getQuotaUsage(userId: string): Promise<QuotaUsage> {
    const row = this.#sql('SELECT used_bytes, message_count FROM quota_usage WHERE user_id = ?').get(userId) as
      { used_bytes: number; message_count: number } | undefined;
    return { usedBytes: row?.used_bytes ?? 0, messageCount: row?.message_count ?? 0 };
  }

  async claimRecent(mailboxId: string): Promise<RecentClaim> {
    const key = mailboxKey(mailboxId);
    if (key === null) throw new StorageError('not-found', `mailbox ${mailboxId} not found`);
    const read = this.#sql('SELECT first_recent_uid, uid_next FROM mailboxes WHERE id = ?');
    const peek = read.get(key) as { first_recent_uid: number; uid_next: number } | undefined;
    if (!peek) throw new StorageError('not-found', `mailbox ${mailboxId} not found`);
    // Nothing to claim: answer from the read, without a write transaction (most SELECTs).
    if (peek.first_recent_uid >= peek.uid_next) return { firstUid: peek.uid_next, lastUid: peek.uid_next - 1 };
    return this.#committer.write(() => {
      // Re-read inside BEGIN IMMEDIATE: another process may have claimed since the peek.
      const row = read.get(key) as { first_recent_uid: number; uid_next: number } | undefined;
      if (!row) throw new StorageError('not-found', `mailbox ${mailboxId} not found`);
      this.#sql('UPDATE mailboxes SET first_recent_uid = uid_next WHERE id = ?').run(key);
      return { firstUid: row.first_recent_uid, lastUid: row.uid_next - 1 };
    });
  }

  /** UIDVALIDITY: the current time in seconds, but always above every value handed out before (RFC 3501 §2.3.1.1). */
  #nextUidValidity(): number {
    const last = this.#sql("SELECT value FROM counters WHERE name = 'uid_validity'").pluck().get() as number | undefined;
    const next = Math.max(Math.floor(Date.now() / 1000), (last ?? 0) + 1);
    this.#sql("INSERT INTO counters (name, value) VALUES ('uid_validity', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value").run(
      next,
    );
    return next;
  }

  #readTransaction<T>(read: () => T): T {
    return this.#db.transaction(read).deferred();
  }
}
