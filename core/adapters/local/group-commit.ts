// Group commit: write operations that arrive in the same event-loop turn share one SQLite
// transaction, so one WAL fsync (synchronous=FULL) makes a whole batch durable. Each operation runs
// in its own savepoint: one that throws is rolled back alone and rejects alone; the others commit.
// Promises resolve only after the outer COMMIT returned, i.e. after the fsync.
import type { SqliteDatabase } from './sqlite-database.js';
import { StorageError } from '../../ports/errors.js';

interface PendingWrite {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

export class GroupCommitter {
  readonly #db: SqliteDatabase;
  readonly #inSavepoint: (work: () => unknown) => unknown;
  #pending: PendingWrite[] = [];
  #scheduled = false;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    // A transaction function called inside another transaction becomes a SAVEPOINT (better-sqlite3).
    this.#inSavepoint = db.transaction((work: () => unknown) => work());
  }

  /** Runs `work` (synchronous SQL) in the next batch; resolves once the batch is durable. */
  write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Resolves once every write queued so far has committed (or failed). */
  async drain(): Promise<void> {
    if (this.#pending.length > 0) await this.write(() => undefined);
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    const outcomes: Outcome[] = [];
    try {
      // IMMEDIATE takes the write lock up front, so the batch never fails half-way on SQLITE_BUSY.
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
        .immediate();
    } catch (error) {
      const mapped = asStorageError(error);
      for (const item of batch) item.reject(mapped);
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(asStorageError(outcome.error));
    });
  }
}

/** SQLite's "busy"/"locked" (another process held the write lock past busy_timeout) is a retryable outage. */
export function asStorageError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) {
    return new StorageError('unavailable', 'the local database is busy; retry later', { cause: error });
  }
  return error;
}
