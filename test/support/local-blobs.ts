// Where the local backend keeps blobs (docs/storage.md, "Small blobs"): up to 64 KiB a row of
// `small_blobs` in the SQLite file, larger ones a file under blobs/. Tests that check space is
// really given back (or nothing is left behind) look in both places, not through the BlobStore port.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BLOB_DIRECTORY_NAME, INDEX_FILE_NAME } from '../../core/adapters/local/open-local-storage.js';

/** Keys of every blob under `prefix` (e.g. `spool/`), temp files of unfinished puts included. */
export async function localBlobKeys(dataDir: string, prefix: string): Promise<string[]> {
  const db = new Database(path.join(dataDir, INDEX_FILE_NAME), { readonly: true });
  try {
    const rows = db.prepare('SELECT key FROM small_blobs WHERE substr(key, 1, ?) = ?').pluck().all(prefix.length, prefix) as string[];
    const files = await readdir(path.join(dataDir, BLOB_DIRECTORY_NAME, prefix)).catch(() => []);
    return [...rows, ...files.map((name) => `${prefix}${name}`)];
  } finally {
    db.close();
  }
}

/** Whether the blob is still stored, as a row or as a file. */
export function localBlobExists(dataDir: string, key: string): boolean {
  if (existsSync(path.join(dataDir, BLOB_DIRECTORY_NAME, key))) return true;
  const db = new Database(path.join(dataDir, INDEX_FILE_NAME), { readonly: true });
  try {
    return db.prepare('SELECT 1 FROM small_blobs WHERE key = ?').get(key) !== undefined;
  } finally {
    db.close();
  }
}
