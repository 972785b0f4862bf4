// ChangeFeed for the local backend. Changes published in this process reach watchers at once; to
// also wake watchers when another process (the CLI importer, a second server) writes the same SQLite
// file, one timer per process reads HIGHESTMODSEQ of every watched mailbox in a single query every
// pollIntervalMs: O(processes) work however many IDLE sessions watch (design brief §4.6).
import type { ChangeFeed, MailboxChange } from '../../ports/change-feed.js';
import { type PreparedStatement, type SqliteDatabase, statementCache } from './sqlite-database.js';

export interface LocalChangeFeedOptions {
  /** Default 500 ms: an IDLE client hears of another process's delivery within about half a second. */
  readonly pollIntervalMs?: number;
}

interface WatchedMailbox {
  readonly listeners: Set<(change: MailboxChange) => void>;
  /** The highest MODSEQ already announced (or seen when watching began). */
  lastModseq: number;
}

interface MailboxModseqRow {
  id: number;
  user_id: string;
  highest_modseq: number;
}

export class LocalChangeFeed implements ChangeFeed {
  readonly #sql: (sql: string) => PreparedStatement;
  readonly #pollIntervalMs: number;
  readonly #watched = new Map<string, WatchedMailbox>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(db: SqliteDatabase, options: LocalChangeFeedOptions = {}) {
    this.#sql = statementCache(db);
    this.#pollIntervalMs = options.pollIntervalMs ?? 500;
  }

  async publish(change: MailboxChange): Promise<void> {
    this.#announce(change);
  }

  watch(mailboxId: string, listener: (change: MailboxChange) => void): () => void {
    let watched = this.#watched.get(mailboxId);
    if (!watched) {
      const current = this.#read([mailboxId])[0];
      watched = { listeners: new Set(), lastModseq: current?.highest_modseq ?? 0 };
      this.#watched.set(mailboxId, watched);
    }
    watched.listeners.add(listener);
    this.#startPolling();
    const entry = watched;
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0 && this.#watched.get(mailboxId) === entry) this.#watched.delete(mailboxId);
      if (this.#watched.size === 0) this.#stopPolling();
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopPolling();
    this.#watched.clear();
  }

  /** Delivers a change to the mailbox's listeners unless an equal or newer MODSEQ was announced already. */
  #announce(change: MailboxChange): void {
    const watched = this.#watched.get(change.mailboxId);
    if (!watched || change.highestModseq <= watched.lastModseq) return;
    watched.lastModseq = change.highestModseq;
    for (const listener of [...watched.listeners]) listener(change);
  }

  #poll(): void {
    if (this.#watched.size === 0) return;
    let rows: MailboxModseqRow[];
    try {
      rows = this.#read([...this.#watched.keys()]);
    } catch {
      // A failed poll (e.g. the file briefly unreadable) only delays a wake-up: the next tick retries.
      return;
    }
    for (const row of rows) {
      this.#announce({ userId: row.user_id, mailboxId: String(row.id), highestModseq: row.highest_modseq });
    }
  }

  #read(mailboxIds: readonly string[]): MailboxModseqRow[] {
    return this.#sql('SELECT id, user_id, highest_modseq FROM mailboxes WHERE id IN (SELECT value FROM json_each(?))').all(
      JSON.stringify(mailboxIds.map(Number)),
    ) as MailboxModseqRow[];
  }

  #startPolling(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setInterval(() => this.#poll(), this.#pollIntervalMs);
    // The feed alone must not keep a process (a CLI command, a test) alive.
    this.#timer.unref();
  }

  #stopPolling(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
