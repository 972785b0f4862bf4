// Listing by UID or sequence range with pagination, fast at 100,000+ messages: a UID range is one
// range scan of the (mailbox_id, uid) index; a sequence number is turned into a UID by stepping
// through that narrow index from whichever end is nearer (no table rows read), then listed by UID.
import type { ListMessagesQuery, MessagePage, MessageSummary } from '../../ports/mail-index.js';
import { StorageError } from '../../ports/errors.js';
import { type MailboxRow, type MessageRow, SUMMARY_COLUMNS, toSummary } from './mail-rows.js';
import type { PreparedStatement } from './sqlite-database.js';

const DEFAULT_PAGE_SIZE = 1_000;
/** Bounds one page's memory and the time one read transaction holds its snapshot. */
const MAX_PAGE_SIZE = 5_000;
const LAST_UID = Number.MAX_SAFE_INTEGER;

export class SqliteMessageRanges {
  readonly #sql: (sql: string) => PreparedStatement;

  constructor(sql: (sql: string) => PreparedStatement) {
    this.#sql = sql;
  }

  page(mailbox: MailboxRow, query: ListMessagesQuery): MessagePage<MessageSummary> {
    const limit = Math.min(Math.max(Math.floor(query.limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
    const bounds = this.#uidBounds(mailbox, query);
    if (!bounds) return { messages: [], nextAfterUid: null };
    const from = Math.max(bounds.from, (query.afterUid ?? 0) + 1);
    const rows = this.#sql(`SELECT ${SUMMARY_COLUMNS} FROM messages WHERE mailbox_id = ? AND uid BETWEEN ? AND ? ORDER BY uid LIMIT ?`).all(
      mailbox.id,
      from,
      bounds.to,
      limit + 1,
    ) as MessageRow[];
    const more = rows.length > limit;
    const messages = (more ? rows.slice(0, limit) : rows).map(toSummary);
    return { messages, nextAfterUid: more ? messages[messages.length - 1]!.uid : null };
  }

  /** The UID interval a range covers, or null when a sequence range lies beyond the last message. */
  #uidBounds(mailbox: MailboxRow, query: ListMessagesQuery): { from: number; to: number } | null {
    const range = query.range;
    if (!range) return { from: 1, to: LAST_UID };
    if (!Number.isInteger(range.from) || !Number.isInteger(range.to) || range.from < 1 || range.to < 1) {
      throw new StorageError('invalid', `bad ${range.by} range ${range.from}:${range.to}`);
    }
    // RFC 3501 §9: `4:2` means the same as `2:4`.
    const low = Math.min(range.from, range.to);
    const high = Math.max(range.from, range.to);
    if (range.by === 'uid') return { from: low, to: high };
    const count = mailbox.message_count;
    if (low > count) return null;
    return { from: this.#uidAtSequence(mailbox.id, low, count), to: this.#uidAtSequence(mailbox.id, Math.min(high, count), count) };
  }

  #uidAtSequence(mailboxId: number, sequence: number, count: number): number {
    const fromStart = sequence - 1;
    const fromEnd = count - sequence;
    const uid =
      fromStart <= fromEnd
        ? this.#sql('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid LIMIT 1 OFFSET ?').pluck().get(mailboxId, fromStart)
        : this.#sql('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid DESC LIMIT 1 OFFSET ?').pluck().get(mailboxId, fromEnd);
    if (typeof uid !== 'number') throw new StorageError('unavailable', `mailbox ${mailboxId} counters disagree with its messages`);
    return uid;
  }
}
