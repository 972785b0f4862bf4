// Opens the one SQLite file of the local backend: WAL so readers never block the writer;
// synchronous=NORMAL, because GroupCommitter makes commits durable itself with a grouped fsync of
// the WAL off the event loop (docs/storage.md, "Durability"); a short busy_timeout; and schema
// migrations keyed by PRAGMA user_version.
import Database from 'better-sqlite3';
import { MIGRATIONS } from './schema.js';

export type SqliteDatabase = Database.Database;

/**
 * SQLite's busy handler sleeps inside the synchronous call, stalling the event loop; so it is kept
 * short, and writes wait for another process's lock in GroupCommitter, on a timer, instead.
 */
const BUSY_TIMEOUT_MS = 5;
/** Opening may wait longer: another process may be migrating the same file. */
const OPEN_BUSY_TIMEOUT_MS = 10_000;

export function openSqliteDatabase(file: string): SqliteDatabase {
  const db = new Database(file);
  db.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: no fsync inside COMMIT (it would block the event loop), yet the WAL is
  // fsynced before every checkpoint and the database after it; GroupCommitter fsyncs the WAL
  // before any write is acknowledged.
  db.pragma('synchronous = NORMAL');
  // No checkpoints inside our COMMITs: WalCheckpointer runs them off the event loop.
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('foreign_keys = ON');
  migrate(db);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

function migrate(db: SqliteDatabase): void {
  // IMMEDIATE: two processes opening a fresh file at once must not both run migration 1.
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < MIGRATIONS.length; version++) {
      const migration = MIGRATIONS[version]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
    }
    if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/** SQLite's write-ahead log next to the database file. */
export function walFileOf(databaseFile: string): string {
  return `${databaseFile}-wal`;
}

export type PreparedStatement = Database.Statement<unknown[], unknown>;

/** Prepares each SQL text once per connection (better-sqlite3 statements are reusable). */
export function statementCache(db: SqliteDatabase): (sql: string) => PreparedStatement {
  const cache = new Map<string, PreparedStatement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}
