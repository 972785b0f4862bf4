// BlobStore on S3: raw messages streamed in, read whole or by byte range (IMAP partial FETCH).
// Small blobs take one PutObject; larger ones a multipart upload of fixed-size parts, so memory stays
// at one part whatever the message size (design brief §4.7). S3 makes an object visible only when its
// PutObject/CompleteMultipartUpload succeeds: a blob is never seen half-written.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { randomHex } from '../../mail/random-hex.js';
import type { BlobPutResult, BlobStore, ByteRange, PutBlobOptions } from '../../ports/blob-store.js';
import { StorageError } from '../../ports/errors.js';
import { awsCall, awsErrorName, toStorageError } from './aws-errors.js';

/** S3's minimum part size is 5 MiB; 8 MiB keeps a 50 MB message under 10 parts. */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

export interface S3BlobStoreOptions {
  readonly bucket: string;
  readonly partBytes?: number;
  /** At-rest encryption asked for on every write; the bucket default (CDK) also enforces it. */
  readonly serverSideEncryption?: ServerSideEncryption;
}

/** Time-ordered, collision-free key: listing a prefix shows blobs in arrival order. */
function newBlobKey(prefix: string): string {
  return `${prefix}${Date.now().toString(36).padStart(9, '0')}-${randomHex(10)}`;
}

/** Re-chunks a byte stream into parts of exactly `partBytes` (the last one shorter). */
async function* fixedSizeParts(source: AsyncIterable<Uint8Array>, partBytes: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of source) {
    let view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (pendingBytes + view.length >= partBytes) {
      const take = partBytes - pendingBytes;
      pending.push(view.subarray(0, take));
      yield Buffer.concat(pending);
      view = view.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (view.length > 0) {
      // Copy: the producer may reuse its buffer once we ask for the next chunk.
      pending.push(Buffer.from(view));
      pendingBytes += view.length;
    }
  }
  if (pendingBytes > 0 || pending.length > 0) yield Buffer.concat(pending);
}

export class S3BlobStore implements BlobStore {
  private readonly partBytes: number;
  private readonly encryption: ServerSideEncryption;

  constructor(
    private readonly s3: S3Client,
    private readonly options: S3BlobStoreOptions,
  ) {
    this.partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
    this.encryption = options.serverSideEncryption ?? 'AES256';
  }

  async put(source: AsyncIterable<Uint8Array>, options: PutBlobOptions = {}): Promise<BlobPutResult> {
    const key = newBlobKey(options.prefix ?? '');
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const digest = createHash('sha256');
    let sizeBytes = 0;
    let uploadId: string | undefined;
    const etags: { PartNumber: number; ETag: string }[] = [];
    const bucket = this.options.bucket;
    try {
      const parts = fixedSizeParts(source, this.partBytes);
      let part = await parts.next();
      while (!part.done) {
        const body = part.value;
        sizeBytes += body.length;
        if (sizeBytes > maxBytes) throw new StorageError('invalid', `blob exceeds ${maxBytes} bytes`);
        digest.update(body);
        const next = await parts.next();
        if (uploadId === undefined && next.done) {
          // The whole blob fits in one part: a single PutObject, no multipart bookkeeping.
          await awsCall('put blob', () =>
            this.s3.send(
              new PutObjectCommand({
                Bucket: bucket,
                Key: key,
                Body: body,
                ContentLength: body.length,
                ContentType: 'message/rfc822',
                ServerSideEncryption: this.encryption,
              }),
            ),
          );
          return { key, sizeBytes, sha256: digest.digest('hex') };
        }
        if (uploadId === undefined) {
          const created = await awsCall('start multipart upload', () =>
            this.s3.send(
              new CreateMultipartUploadCommand({
                Bucket: bucket,
                Key: key,
                ContentType: 'message/rfc822',
                ServerSideEncryption: this.encryption,
              }),
            ),
          );
          uploadId = created.UploadId;
        }
        const partNumber = etags.length + 1;
        const uploaded = await awsCall('upload part', () =>
          this.s3.send(
            new UploadPartCommand({
              Bucket: bucket,
              Key: key,
              UploadId: uploadId,
              PartNumber: partNumber,
              Body: body,
              ContentLength: body.length,
            }),
          ),
        );
        etags.push({ PartNumber: partNumber, ETag: uploaded.ETag ?? '' });
        part = next;
      }
      if (uploadId === undefined) {
        // Empty source: still a real (zero-byte) object.
        await awsCall('put blob', () =>
          this.s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: Buffer.alloc(0),
              ContentLength: 0,
              ContentType: 'message/rfc822',
              ServerSideEncryption: this.encryption,
            }),
          ),
        );
        return { key, sizeBytes: 0, sha256: digest.digest('hex') };
      }
      await awsCall('complete multipart upload', () =>
        this.s3.send(
          new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: etags } }),
        ),
      );
      return { key, sizeBytes, sha256: digest.digest('hex') };
    } catch (error) {
      if (uploadId !== undefined) {
        const abandoned = uploadId;
        // Best effort; a crash here leaves the upload to the bucket's AbortIncompleteMultipartUpload rule.
        await this.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: abandoned })).catch(() => undefined);
      }
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    if (range && (range.start < 0 || range.end < range.start || !Number.isInteger(range.start) || !Number.isInteger(range.end))) {
      throw new StorageError('invalid', `bad byte range ${range.start}-${range.end}`);
    }
    if (range && range.start === range.end) {
      // S3 cannot express an empty range; the blob must still exist.
      if (!(await this.head(key))) throw new StorageError('not-found', `blob ${key} not found`);
      return Readable.from([]);
    }
    try {
      const response = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end - 1}` } : {}),
        }),
      );
      if (!(response.Body instanceof Readable)) throw new StorageError('unavailable', 'S3 returned no body stream');
      return response.Body;
    } catch (error) {
      // RFC 9110 §14.1.2: a range starting at or past the end is unsatisfiable; the port reads it as empty.
      if (
        awsErrorName(error) === 'InvalidRange' ||
        (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416
      ) {
        return Readable.from([]);
      }
      throw toStorageError(error, `get blob ${key}`);
    }
  }

  async head(key: string): Promise<{ readonly sizeBytes: number } | null> {
    try {
      const response = await this.s3.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return { sizeBytes: response.ContentLength ?? 0 };
    } catch (error) {
      const name = awsErrorName(error);
      if (name === 'NotFound' || name === 'NoSuchKey') return null;
      throw toStorageError(error, `head blob ${key}`);
    }
  }

  async delete(key: string): Promise<void> {
    await awsCall(`delete blob ${key}`, () => this.s3.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key })));
  }
}
