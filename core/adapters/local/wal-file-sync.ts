// The WAL's durability step for GroupCommitter: fdatasync through one descriptor held for the life
// of the storage, rather than open + fsync + close each time (the WAL is synced every few
// milliseconds under load). The descriptor cannot go stale: SQLite deletes the WAL only when the
// last connection to the database closes, and ours stays open until close() has run.
// fdatasync suffices: it flushes the data and the file size, all a reader of the WAL needs.
import { type FileHandle, open } from 'node:fs/promises';

export class WalFileSync {
  #handle: Promise<FileHandle | null> | null = null;

  constructor(readonly path: string) {}

  /** Resolves once everything written to the WAL before the call is on disk. */
  async sync(): Promise<void> {
    this.#handle ??= openIfPresent(this.path);
    const handle = await this.#handle;
    // No WAL (yet): SQLite removes it only after checkpointing it into the fsynced database.
    if (handle === null) this.#handle = null;
    else await handle.datasync();
  }

  async close(): Promise<void> {
    const handle = await this.#handle;
    this.#handle = null;
    await handle?.close();
  }
}

async function openIfPresent(file: string): Promise<FileHandle | null> {
  try {
    return await open(file, 'r');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw error;
  }
}
