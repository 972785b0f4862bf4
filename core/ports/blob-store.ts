// Blob store port: raw RFC 5322 messages, written once from a stream and read whole or by byte range.
// Adapters: FileBlobStore (temp file, fsync, rename) and S3BlobStore. A blob is never visible half-written.
import type { Readable } from 'node:stream';

export interface BlobPutResult {
  readonly key: string;
  readonly sizeBytes: number;
  /** Lower-case hex SHA-256 of the content. */
  readonly sha256: string;
}

/** Byte range with an inclusive start and an exclusive end, like Buffer.subarray. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface PutBlobOptions {
  /** Groups keys (e.g. `spool/`, `msg/`); the adapter appends a unique, time-ordered id. */
  readonly prefix?: string;
  /** Rejects with StorageError('invalid') and stores nothing once the stream exceeds this size. */
  readonly maxBytes?: number;
  /**
   * The caller will reference the blob from a later write of the same Storage (a queued job, a
   * mailbox entry) and needs it durable only once that write is. The adapter may then resolve `put`
   * before the blob is durable, provided every write its Storage makes durable after `put` resolved
   * also makes the blob durable (the local adapter: both go to SQLite's write-ahead log, fsynced in
   * order). Never skips durability: S3 and large local blobs are durable when `put` resolves anyway.
   */
  readonly durableWithNextWrite?: boolean;
}

export interface BlobStore {
  /** Streams `source` into a new blob. Resolves only once the blob is durable (but see `durableWithNextWrite`). */
  put(source: AsyncIterable<Uint8Array>, options?: PutBlobOptions): Promise<BlobPutResult>;
  /** The whole blob, or `range` of it, as a stream. Throws StorageError('not-found'). */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Size of the blob, or null when it does not exist. */
  head(key: string): Promise<{ readonly sizeBytes: number } | null>;
  /** Deletes the blob; deleting a missing blob is not an error. */
  delete(key: string): Promise<void>;
}
