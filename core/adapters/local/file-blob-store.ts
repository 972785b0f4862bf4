// BlobStore on the local file system. put: stream into a temp file in the target directory, fsync
// it, rename it into place, then fsync the directory (grouped, see grouped-fsync.ts): a reader
// sees either nothing or the whole blob, never part of one. Keys are `<prefix><time-ordered id>`.
import { createHash } from 'node:crypto';
import { open as openFd } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobPutResult, BlobStore, ByteRange, PutBlobOptions } from '../../ports/blob-store.js';
import { randomHex } from '../../mail/random-hex.js';
import { StorageError } from '../../ports/errors.js';
import { FileRangeReadable } from './file-range-readable.js';
import { GroupedFsync } from './grouped-fsync.js';

/** Keys and prefixes are relative paths of safe segments: no `..`, no absolute paths. */
const KEY_PATTERN = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const PREFIX_PATTERN = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-]*$/;
const TEMP_PREFIX = '.tmp-';

export class FileBlobStore implements BlobStore {
  readonly #root: string;
  readonly #directoryFsync = new GroupedFsync();
  readonly #createdDirectories = new Set<string>();

  constructor(rootDirectory: string) {
    this.#root = path.resolve(rootDirectory);
  }

  async put(source: AsyncIterable<Uint8Array>, options: PutBlobOptions = {}): Promise<BlobPutResult> {
    const key = `${checkedBlobPrefix(options.prefix ?? '')}${newBlobId()}`;
    const finalPath = this.#pathOf(key);
    const directory = path.dirname(finalPath);
    await this.#ensureDirectory(directory);
    const tempPath = path.join(directory, `${TEMP_PREFIX}${randomHex(8)}`);
    const handle = await open(tempPath, 'wx');
    const hash = createHash('sha256');
    let sizeBytes = 0;
    try {
      for await (const chunk of source) {
        sizeBytes += chunk.byteLength;
        if (options.maxBytes !== undefined && sizeBytes > options.maxBytes) {
          throw new StorageError('invalid', `blob exceeds the limit of ${options.maxBytes} bytes`);
        }
        hash.update(chunk);
        await handle.write(chunk);
      }
      // fdatasync: the data and the size that reads need; the rename below is made durable by the directory fsync.
      await handle.datasync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
    await handle.close();
    await rename(tempPath, finalPath);
    await this.#directoryFsync.sync(directory);
    return { key, sizeBytes, sha256: hash.digest('hex') };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    if (range && !isValidRange(range)) {
      throw new StorageError('invalid', `bad byte range ${range.start}-${range.end}`);
    }
    const file = this.#pathOf(key);
    const fd = await new Promise<number>((resolve, reject) => openFd(file, 'r', (error, opened) => (error ? reject(notFoundOr(error, key)) : resolve(opened))));
    // No fstat: reading stops at the end of the file, which clamps a range that runs past it.
    return new FileRangeReadable(fd, range?.start ?? 0, range?.end ?? null);
  }

  async head(key: string): Promise<{ readonly sizeBytes: number } | null> {
    try {
      const stats = await stat(this.#pathOf(key));
      return { sizeBytes: stats.size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.#pathOf(key));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  #pathOf(key: string): string {
    return path.join(this.#root, checkedBlobKey(key));
  }

  async #ensureDirectory(directory: string): Promise<void> {
    if (this.#createdDirectories.has(directory)) return;
    const created = await mkdir(directory, { recursive: true });
    // A new directory's own entry must be durable too before blobs inside it count as stored.
    if (created !== undefined) await this.#directoryFsync.sync(path.dirname(directory));
    this.#createdDirectories.add(directory);
  }
}

/** Segments cannot start with '.', which rules out '..', '.' and our temp files. */
export function checkedBlobKey(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new StorageError('invalid', `bad blob key ${JSON.stringify(key)}`);
  return key;
}

export function checkedBlobPrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new StorageError('invalid', `bad blob key prefix ${JSON.stringify(prefix)}`);
  return prefix;
}

export function isValidRange(range: ByteRange): boolean {
  return Number.isInteger(range.start) && Number.isInteger(range.end) && range.start >= 0 && range.end >= range.start;
}

/** Time-ordered (millisecond, base 36, fixed width) plus 64 random bits: unique without coordination. */
export function newBlobId(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${randomHex(8)}`;
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function notFoundOr(error: unknown, key: string): unknown {
  return isMissing(error) ? new StorageError('not-found', `no blob ${key}`, { cause: error }) : error;
}
