// The synchronous write side of SqliteMailIndex: each method runs inside one group-commit savepoint
// (group-commit.ts), so UID allocation, the message rows, the mailbox counters (UIDNEXT,
// HIGHESTMODSEQ, counts), the cached IMAP envelope, vanished UIDs and the user's quota counter commit
// together or not at all.
import type {
  AppendOptions,
  AppendResult,
  CopyResult,
  ExpungeResult,
  FlagOperation,
  FlagUpdate,
  FlagUpdateResult,
  MessageSummary,
  NewMessage,
} from '../../ports/mail-index.js';
import { StorageError } from '../../ports/errors.js';
import { normalizeFlags } from '../../mail/flags.js';
import { serializeEnvelope } from '../../mail/imap-envelope.js';
import { type MailboxRow, type MessageRow, SUMMARY_COLUMNS, hasSeen, mailboxKey, toSummary } from './mail-rows.js';
import type { PreparedStatement } from './sqlite-database.js';
import { SqliteSearchRows } from './sqlite-search-rows.js';

interface FlagRow {
  uid: number;
  modseq: number;
  flags: string;
}

export class SqliteMessageWrites {
  readonly #sql: (sql: string) => PreparedStatement;
  readonly searchRows: SqliteSearchRows;

  constructor(sql: (sql: string) => PreparedStatement) {
    this.#sql = sql;
    this.searchRows = new SqliteSearchRows(sql);
  }

  append(mailboxId: string, message: NewMessage, options: AppendOptions = {}): AppendResult {
    const mailbox = this.mailboxRow(mailboxId);
    if (message.idempotencyKey !== undefined) {
      const earlier = this.#sql('SELECT uid, modseq FROM append_keys WHERE mailbox_id = ? AND idempotency_key = ?').get(
        mailbox.id,
        message.idempotencyKey,
      ) as { uid: number; modseq: number } | undefined;
      if (earlier) return { uid: earlier.uid, modseq: earlier.modseq, uidValidity: mailbox.uid_validity, duplicate: true };
    }
    if (options.quotaLimitBytes !== undefined && options.quotaLimitBytes !== null) {
      const used = this.#sql('SELECT used_bytes FROM quota_usage WHERE user_id = ?').pluck().get(mailbox.user_id) as number | undefined;
      if ((used ?? 0) + message.sizeBytes > options.quotaLimitBytes) {
        throw new StorageError('quota-exceeded', `the mailbox owner's quota of ${options.quotaLimitBytes} bytes would be exceeded`);
      }
    }
    // A blob that a sweep has claimed is about to be deleted: it must not gain a reference (housekeeping.ts).
    if (this.#sql('SELECT 1 FROM unreferenced_blobs WHERE blob_key = ? AND claimed_at IS NOT NULL').get(message.blobKey)) {
      throw new StorageError('not-found', `blob ${message.blobKey} is being reclaimed`);
    }
    const flags = normalizeFlags(message.flags ?? []);
    const uid = mailbox.uid_next;
    const modseq = mailbox.highest_modseq + 1;
    const inserted = this.#sql(
      `INSERT INTO messages (mailbox_id, uid, modseq, flags, seen, internal_date, size_bytes, blob_key, structure)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      mailbox.id,
      uid,
      modseq,
      JSON.stringify(flags),
      hasSeen(flags) ? 1 : 0,
      message.internalDate.getTime(),
      message.sizeBytes,
      message.blobKey,
      JSON.stringify(message.structure),
    );
    const envelope = serializeEnvelope(message.structure.envelope);
    this.#sql('INSERT INTO message_envelopes (message_id, text, utf8_text) VALUES (?, ?, ?)').run(inserted.lastInsertRowid, envelope.text, envelope.utf8Text);
    this.searchRows.added(inserted.lastInsertRowid, mailbox.id, uid, message.structure.envelope);
    this.#bumpMailbox(mailbox.id, uid + 1, modseq, 1, hasSeen(flags) ? 0 : 1, message.sizeBytes);
    if (message.idempotencyKey !== undefined) {
      this.#sql('INSERT INTO append_keys (mailbox_id, idempotency_key, uid, modseq, appended_at) VALUES (?, ?, ?, ?, ?)').run(
        mailbox.id,
        message.idempotencyKey,
        uid,
        modseq,
        Date.now(),
      );
    }
    this.#addQuotaUsage(mailbox.user_id, message.sizeBytes, 1);
    return { uid, modseq, uidValidity: mailbox.uid_validity, duplicate: false };
  }

  updateFlags(mailboxId: string, update: FlagUpdate): FlagUpdateResult {
    const mailbox = this.mailboxRow(mailboxId);
    const rows = this.#sql(
      `SELECT uid, modseq, flags FROM messages WHERE mailbox_id = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid`,
    ).all(mailbox.id, JSON.stringify(update.uids)) as FlagRow[];
    const requested = normalizeFlags(update.flags);
    // RFC 7162 §3.1.3: one MODSEQ for every message this STORE changes.
    const modseq = mailbox.highest_modseq + 1;
    const updated: { uid: number; modseq: number; flags: string[] }[] = [];
    const modified: number[] = [];
    let unseenDelta = 0;
    for (const row of rows) {
      if (update.unchangedSince !== undefined && row.modseq > update.unchangedSince) {
        modified.push(row.uid);
        continue;
      }
      const before = JSON.parse(row.flags) as string[];
      const after = applyFlagOperation(before, update.operation, requested);
      if (sameFlags(before, after)) continue;
      this.#sql('UPDATE messages SET flags = ?, seen = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?').run(
        JSON.stringify(after),
        hasSeen(after) ? 1 : 0,
        modseq,
        mailbox.id,
        row.uid,
      );
      unseenDelta += Number(hasSeen(before)) - Number(hasSeen(after));
      updated.push({ uid: row.uid, modseq, flags: after });
    }
    if (updated.length === 0) return { updated, modified, highestModseq: mailbox.highest_modseq };
    this.#sql('UPDATE mailboxes SET highest_modseq = ?, unseen_count = unseen_count + ? WHERE id = ?').run(modseq, unseenDelta, mailbox.id);
    return { updated, modified, highestModseq: modseq };
  }

  copy(
    sourceMailboxId: string,
    uids: readonly number[],
    destinationMailboxId: string,
  ): CopyResult & { readonly copied: readonly MessageSummary[] } {
    const source = this.mailboxRow(sourceMailboxId);
    const destination = this.mailboxRow(destinationMailboxId);
    const rows = this.#sql(
      `SELECT id, ${SUMMARY_COLUMNS}, structure FROM messages WHERE mailbox_id = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid`,
    ).all(source.id, JSON.stringify(uids)) as (MessageRow & { id: number })[];
    if (rows.length === 0) return { uidValidity: destination.uid_validity, mapping: [], copied: [] };
    const modseq = destination.highest_modseq + 1;
    const insert = this.#sql(
      `INSERT INTO messages (mailbox_id, uid, modseq, flags, seen, internal_date, size_bytes, blob_key, structure)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // A source stored by an older version may have no cached envelope: the copy then has none either (read falls back).
    const copyEnvelope = this.#sql('INSERT INTO message_envelopes (message_id, text, utf8_text) SELECT ?, text, utf8_text FROM message_envelopes WHERE message_id = ?');
    const mapping: { sourceUid: number; destinationUid: number }[] = [];
    let unseen = 0;
    let sizeBytes = 0;
    let destinationUid = destination.uid_next;
    for (const row of rows) {
      const seen = hasSeen(JSON.parse(row.flags) as string[]);
      const inserted = insert.run(
        destination.id,
        destinationUid,
        modseq,
        row.flags,
        seen ? 1 : 0,
        row.internal_date,
        row.size_bytes,
        row.blob_key,
        row.structure,
      );
      copyEnvelope.run(inserted.lastInsertRowid, row.id);
      this.searchRows.copied(inserted.lastInsertRowid, { mailboxId: source.id, uid: row.uid }, destination.id, destinationUid);
      mapping.push({ sourceUid: row.uid, destinationUid });
      unseen += seen ? 0 : 1;
      sizeBytes += row.size_bytes;
      destinationUid++;
    }
    this.#bumpMailbox(destination.id, destinationUid, modseq, rows.length, unseen, sizeBytes);
    this.#addQuotaUsage(destination.user_id, sizeBytes, rows.length);
    return { uidValidity: destination.uid_validity, mapping, copied: rows.map(toSummary) };
  }

  /** Removes the given messages (all of them, flagged or not) and remembers their UIDs as vanished. */
  remove(mailboxId: string, uids: readonly number[]): ExpungeResult {
    const mailbox = this.mailboxRow(mailboxId);
    const rows = this.#sql(
      `DELETE FROM messages WHERE mailbox_id = ? AND uid IN (SELECT value FROM json_each(?)) RETURNING id, ${SUMMARY_COLUMNS}`,
    ).all(mailbox.id, JSON.stringify(uids)) as (MessageRow & { id: number })[];
    if (rows.length === 0) return { expunged: [], highestModseq: mailbox.highest_modseq };
    this.searchRows.removed(mailbox.id, rows);
    const expunged = rows.map(toSummary).sort((a, b) => a.uid - b.uid);
    const modseq = mailbox.highest_modseq + 1;
    const now = Date.now();
    const remember = this.#sql('INSERT OR REPLACE INTO vanished (mailbox_id, uid, modseq, expunged_at) VALUES (?, ?, ?, ?)');
    let unseen = 0;
    let sizeBytes = 0;
    for (const message of expunged) {
      remember.run(mailbox.id, message.uid, modseq, now);
      unseen += hasSeen(message.flags) ? 0 : 1;
      sizeBytes += message.sizeBytes;
    }
    this.#bumpMailbox(mailbox.id, mailbox.uid_next, modseq, -expunged.length, -unseen, -sizeBytes);
    this.#addQuotaUsage(mailbox.user_id, -sizeBytes, -expunged.length);
    this.recordUnreferenced(expunged.map((message) => message.blobKey));
    return { expunged, highestModseq: modseq };
  }

  /**
   * After message rows went: records each of these blobs that no row references any more as
   * "unreferenced since now", in the same transaction (a MOVE's copy keeps its blob referenced).
   * Returns the keys recorded.
   */
  recordUnreferenced(blobKeys: readonly string[]): string[] {
    const record = this.#sql(
      `INSERT INTO unreferenced_blobs (blob_key, since) SELECT @key, @now WHERE NOT EXISTS (SELECT 1 FROM messages WHERE blob_key = @key)
       ON CONFLICT (blob_key) DO UPDATE SET since = excluded.since`,
    );
    const now = Date.now();
    return [...new Set(blobKeys)].filter((key) => record.run({ key, now }).changes > 0);
  }

  /** UIDs flagged \Deleted, among `uids` when given (RFC 3501 §6.4.3, RFC 4315 §2.1). */
  deletedUids(mailboxId: string, uids?: readonly number[]): number[] {
    const mailbox = this.mailboxRow(mailboxId);
    const flagged = `EXISTS (SELECT 1 FROM json_each(flags) WHERE value = '\\Deleted')`;
    const uidsOrAll = uids === undefined ? null : JSON.stringify(uids);
    return this.#sql(
      `SELECT uid FROM messages WHERE mailbox_id = ? AND (? IS NULL OR uid IN (SELECT value FROM json_each(?))) AND ${flagged} ORDER BY uid`,
    )
      .pluck()
      .all(mailbox.id, uidsOrAll, uidsOrAll) as number[];
  }

  mailboxRow(mailboxId: string): MailboxRow {
    const key = mailboxKey(mailboxId);
    const row = key === null ? undefined : (this.#sql('SELECT * FROM mailboxes WHERE id = ?').get(key) as MailboxRow | undefined);
    if (!row) throw new StorageError('not-found', `no mailbox ${mailboxId}`);
    return row;
  }

  #bumpMailbox(id: number, uidNext: number, modseq: number, messages: number, unseen: number, sizeBytes: number): void {
    this.#sql(
      `UPDATE mailboxes SET uid_next = ?, highest_modseq = ?, message_count = message_count + ?,
         unseen_count = unseen_count + ?, size_bytes = size_bytes + ? WHERE id = ?`,
    ).run(uidNext, modseq, messages, unseen, sizeBytes, id);
  }

  #addQuotaUsage(userId: string, sizeBytes: number, messages: number): void {
    this.#sql(
      `INSERT INTO quota_usage (user_id, used_bytes, message_count) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET used_bytes = used_bytes + excluded.used_bytes, message_count = message_count + excluded.message_count`,
    ).run(userId, sizeBytes, messages);
  }
}

function applyFlagOperation(before: readonly string[], operation: FlagOperation, requested: readonly string[]): string[] {
  switch (operation) {
    case 'replace':
      return [...requested];
    case 'add':
      return normalizeFlags([...before, ...requested]);
    case 'remove': {
      const removed = new Set(requested.map((flag) => flag.toLowerCase()));
      return before.filter((flag) => !removed.has(flag.toLowerCase()));
    }
  }
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const lower = new Set(a.map((flag) => flag.toLowerCase()));
  return b.every((flag) => lower.has(flag.toLowerCase()));
}
