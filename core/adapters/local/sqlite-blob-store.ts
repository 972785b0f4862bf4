// BlobStore of the local backend: a blob of up to `maxInlineBytes` is one row of `small_blobs` in the
// SQLite file, written through the group committer; a larger one streams on into FileBlobStore. A
// small blob then costs no file create, fsync, rename or unlink, and its durability can ride on the
// WAL fsync of the job or mailbox entry that references it (`durableWithNextWrite`): the accept path
// pays one grouped fsync per message instead of three (docs/storage.md, "Small blobs").
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobPutResult, BlobStore, ByteRange, PutBlobOptions } from '../../ports/blob-store.js';
import { StorageError } from '../../ports/errors.js';
import { type FileBlobStore, checkedBlobKey, checkedBlobPrefix, isValidRange, newBlobId } from './file-blob-store.js';
import type { GroupCommitter } from './group-commit.js';
import { type PreparedStatement, type SqliteDatabase, statementCache } from './sqlite-database.js';

/**
 * Buffered in memory before the store decides where a blob goes: most mail is smaller, and SQLite
 * reads blobs of this size faster than separate files (sqlite.org/intern-v-extern-blob.html).
 */
export const DEFAULT_MAX_INLINE_BYTES = 64 * 1024;

export interface SqliteBlobStoreOptions {
  /** Where blobs larger than `maxInlineBytes` go. */
  readonly largeBlobs: FileBlobStore;
  readonly maxInlineBytes?: number;
}

export class SqliteBlobStore implements BlobStore {
  readonly #sql: (sql: string) => PreparedStatement;
  readonly #committer: GroupCommitter;
  readonly #largeBlobs: FileBlobStore;
  readonly #maxInlineBytes: number;

  constructor(db: SqliteDatabase, committer: GroupCommitter, options: SqliteBlobStoreOptions) {
    this.#sql = statementCache(db);
    this.#committer = committer;
    this.#largeBlobs = options.largeBlobs;
    this.#maxInlineBytes = options.maxInlineBytes ?? DEFAULT_MAX_INLINE_BYTES;
  }

  async put(source: AsyncIterable<Uint8Array>, options: PutBlobOptions = {}): Promise<BlobPutResult> {
    const prefix = checkedBlobPrefix(options.prefix ?? '');
    const chunks = source[Symbol.asyncIterator]();
    const head: Uint8Array[] = [];
    let sizeBytes = 0;
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
      sizeBytes += next.value.byteLength;
      head.push(next.value);
      if (options.maxBytes !== undefined && sizeBytes > options.maxBytes) {
        await chunks.return?.();
        throw new StorageError('invalid', `blob exceeds the limit of ${options.maxBytes} bytes`);
      }
      if (sizeBytes > this.#maxInlineBytes) return this.#largeBlobs.put(rejoined(head, chunks), options);
    }
    const content = Buffer.concat(head, sizeBytes);
    const key = `${prefix}${newBlobId()}`;
    const insert = () => this.#sql('INSERT INTO small_blobs (key, content) VALUES (?, ?)').run(key, content);
    // Committed, hence readable, either way; durable now, or with the caller's next write (same WAL).
    await (options.durableWithNextWrite === true ? this.#committer.writeVisible(insert) : this.#committer.write(insert));
    return { key, sizeBytes, sha256: createHash('sha256').update(content).digest('hex') };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const content = this.#content(key);
    if (content === undefined) return this.#largeBlobs.get(key, range);
    if (range !== undefined && !isValidRange(range)) throw new StorageError('invalid', `bad byte range ${range.start}-${range.end}`);
    const bytes = range === undefined ? content : content.subarray(Math.min(range.start, content.length), Math.min(range.end, content.length));
    return Readable.from(bytes.length > 0 ? [bytes] : [], { objectMode: false });
  }

  async head(key: string): Promise<{ readonly sizeBytes: number } | null> {
    const sizeBytes = this.#sql('SELECT length(content) FROM small_blobs WHERE key = ?').pluck().get(checkedBlobKey(key)) as number | undefined;
    return sizeBytes === undefined ? this.#largeBlobs.head(key) : { sizeBytes };
  }

  async delete(key: string): Promise<void> {
    if (this.#sql('SELECT 1 FROM small_blobs WHERE key = ?').pluck().get(checkedBlobKey(key)) === undefined) {
      return this.#largeBlobs.delete(key);
    }
    // Like unlink(2) without a directory fsync: visible at once, durable with the next durable write.
    await this.#committer.writeVisible(() => this.#sql('DELETE FROM small_blobs WHERE key = ?').run(key));
  }

  #content(key: string): Buffer | undefined {
    return this.#sql('SELECT content FROM small_blobs WHERE key = ?').pluck().get(checkedBlobKey(key)) as Buffer | undefined;
  }
}

/** The chunks already read, then the rest of the source; closing it closes the source. */
async function* rejoined(head: readonly Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* head;
    for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}
