// Composition of the local backend: one SQLite file (index, directory, both queues, small blobs) and
// a directory for large blobs under dataDir. Several processes may open the same dataDir at once (server + CLI).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { InboundDeliveryJob, OutboundDeliveryJob } from '../../mail/jobs.js';
import type { Storage } from '../../ports/index.js';
import { FileBlobStore } from './file-blob-store.js';
import { GroupCommitter } from './group-commit.js';
import { MemoryAttemptCounter } from './memory-attempt-counter.js';
import { LocalChangeFeed } from './local-change-feed.js';
import { SqliteBlobStore } from './sqlite-blob-store.js';
import { GroupedFsync } from './grouped-fsync.js';
import { openSqliteDatabase, walFileOf } from './sqlite-database.js';
import { SqliteDirectory } from './sqlite-directory.js';
import { SqliteHousekeeping } from './sqlite-housekeeping.js';
import { SqliteJobQueue } from './sqlite-job-queue.js';
import { SqliteMailIndex } from './sqlite-mail-index.js';
import { SqliteTextIndex } from './sqlite-text-index.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export interface LocalStorageOptions {
  readonly dataDir: string;
  /** Receives without ack before a job is dead-lettered (SQS maxReceiveCount). Default 8. */
  readonly queueMaxAttempts?: number;
  /** How often the change feed looks for other processes' changes. Default 500 ms. */
  readonly changePollIntervalMs?: number;
  /** How often the background worker checkpoints the WAL into the database. Default 1,000 ms. */
  readonly checkpointIntervalMs?: number;
  /** Blobs up to this size are rows in the SQLite file, larger ones files. Default 64 KiB. */
  readonly maxInlineBlobBytes?: number;
}

export const INDEX_FILE_NAME = 'yubin.sqlite';
export const BLOB_DIRECTORY_NAME = 'blobs';

export async function openLocalStorage(options: LocalStorageOptions): Promise<Storage> {
  await mkdir(path.join(options.dataDir, BLOB_DIRECTORY_NAME), { recursive: true });
  const databaseFile = path.join(options.dataDir, INDEX_FILE_NAME);
  const db = openSqliteDatabase(databaseFile);
  const walFsync = new GroupedFsync();
  const committer = new GroupCommitter(db, () => walFsync.sync(walFileOf(databaseFile)));
  const queueOptions = { maxAttempts: options.queueMaxAttempts ?? 8 };
  const changes = new LocalChangeFeed(db, { pollIntervalMs: options.changePollIntervalMs });
  const checkpointer = new WalCheckpointer(databaseFile, options.checkpointIntervalMs ?? 1_000);
  return {
    blobs: new SqliteBlobStore(db, committer, {
      largeBlobs: new FileBlobStore(path.join(options.dataDir, BLOB_DIRECTORY_NAME)),
      maxInlineBytes: options.maxInlineBlobBytes,
    }),
    directory: new SqliteDirectory(db, committer),
    mailIndex: new SqliteMailIndex(db, committer),
    inboundQueue: new SqliteJobQueue<InboundDeliveryJob>(db, committer, 'inbound', queueOptions),
    outboundQueue: new SqliteJobQueue<OutboundDeliveryJob>(db, committer, 'outbound', queueOptions),
    changes,
    textIndex: new SqliteTextIndex(db, committer),
    housekeeping: new SqliteHousekeeping(db, committer),
    attempts: new MemoryAttemptCounter(),
    async close() {
      await changes.close();
      // Let writes already queued for the next group commit finish before the handle goes.
      await committer.drain();
      await checkpointer.stop();
      db.close();
    },
  };
}
