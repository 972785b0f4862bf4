// Group commit: write operations that arrive in the same event-loop turn share one SQLite
// transaction, and every batch committed while a WAL fsync is running shares the next one
// (synchronous=NORMAL, so COMMIT itself does not fsync and never blocks the event loop on the disk).
// Each operation runs in its own savepoint: one that throws is rolled back alone and rejects alone.
// Promises of successful operations resolve only after the WAL fsync that covers their commit —
// except `writeVisible`'s, which resolve at COMMIT: the WAL is fsynced in order, so such a write
// becomes durable with the first `write` committed after it (or at the next checkpoint).
// When another process holds the write lock, the batch is retried on a timer rather than by
// SQLite's busy handler, which would sleep inside the (synchronous) call and stall the event loop.
import type { SqliteDatabase } from './sqlite-database.js';
import { StorageError } from '../../ports/errors.js';

/** How long a write waits for another process's lock before failing as 'unavailable'. */
const MAX_LOCK_WAIT_MS = 10_000;
const LOCK_RETRY_MIN_MS = 5;
const LOCK_RETRY_MAX_MS = 25;

interface PendingWrite {
  readonly work: () => unknown;
  /** Resolve only once the WAL fsync covering the commit has completed. */
  readonly durable: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly queuedAt: number;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

export class GroupCommitter {
  readonly #db: SqliteDatabase;
  readonly #makeDurable: () => Promise<void>;
  readonly #inSavepoint: (work: () => unknown) => unknown;
  #pending: PendingWrite[] = [];
  #scheduled = false;
  #lockRetries = 0;

  /** `makeDurable` resolves once everything committed before the call is on disk (the WAL fsync). */
  constructor(db: SqliteDatabase, makeDurable: () => Promise<void>) {
    this.#db = db;
    this.#makeDurable = makeDurable;
    // A transaction function called inside another transaction becomes a SAVEPOINT (better-sqlite3).
    this.#inSavepoint = db.transaction((work: () => unknown) => work());
  }

  /** Runs `work` (synchronous SQL) in the next batch; resolves once the batch is durable. */
  write<T>(work: () => T): Promise<T> {
    return this.#enqueue(work, true);
  }

  /**
   * Runs `work` in the next batch and resolves once it is committed (visible to every reader), not
   * waiting for the WAL fsync: for writes whose loss in a power cut is harmless or is covered by a
   * later `write` (whose fsync covers every earlier commit, since the WAL is one ordered log).
   */
  writeVisible<T>(work: () => T): Promise<T> {
    return this.#enqueue(work, false);
  }

  #enqueue<T>(work: () => T, durable: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, durable, resolve: resolve as (value: unknown) => void, reject, queuedAt: Date.now() });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Resolves once every write queued so far has committed (or failed) and is durable. */
  async drain(): Promise<void> {
    await this.write(() => undefined);
  }

  #flush(): void {
    const batch = this.#pending;
    this.#pending = [];
    const outcomes: Outcome[] = [];
    try {
      this.#db
        .transaction(() => {
          for (const item of batch) {
            try {
              outcomes.push({ ok: true, value: this.#inSavepoint(item.work) });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate(); // takes the write lock up front: in WAL mode only BEGIN can meet a busy lock
    } catch (error) {
      if (isBusy(error) && outcomes.length === 0) {
        this.#retryLater(batch);
        return;
      }
      this.#settleLater();
      for (const item of batch) item.reject(asStorageError(error));
      return;
    }
    this.#lockRetries = 0;
    this.#settleLater();
    const committed: { item: PendingWrite; value: unknown }[] = [];
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (!outcome.ok) item.reject(asStorageError(outcome.error)); // rolled back: nothing to wait for
      else if (item.durable) committed.push({ item, value: outcome.value });
      else item.resolve(outcome.value);
    });
    if (committed.length === 0) return;
    this.#makeDurable().then(
      () => committed.forEach(({ item, value }) => item.resolve(value)),
      (error: unknown) => {
        const failure = new StorageError('unavailable', 'could not make the write durable (WAL fsync failed)', { cause: error });
        committed.forEach(({ item }) => item.reject(failure));
      },
    );
  }

  /** Another process holds the lock: keep the batch (minus writes that waited too long) for a later try. */
  #retryLater(batch: PendingWrite[]): void {
    const now = Date.now();
    const unavailable = new StorageError('unavailable', 'the local database stayed locked by another process; retry later');
    const waiting = batch.filter((item) => {
      if (now - item.queuedAt <= MAX_LOCK_WAIT_MS) return true;
      item.reject(unavailable);
      return false;
    });
    this.#pending = waiting.concat(this.#pending);
    if (this.#pending.length === 0) {
      this.#settleLater();
      return;
    }
    this.#lockRetries++;
    const backoffMs = Math.min(LOCK_RETRY_MAX_MS, LOCK_RETRY_MIN_MS * this.#lockRetries) * (0.5 + Math.random());
    setTimeout(() => this.#flush(), backoffMs);
  }

  /** After a flush: schedule the next one if writes arrived meanwhile, else go idle. */
  #settleLater(): void {
    if (this.#pending.length > 0) setImmediate(() => this.#flush());
    else this.#scheduled = false;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** SQLite's "busy"/"locked" outside BEGIN is a retryable outage for the caller. */
function asStorageError(error: unknown): unknown {
  return isBusy(error) ? new StorageError('unavailable', 'the local database is busy; retry later', { cause: error }) : error;
}
