// The spool on the storage ports: the message streams into the blob store (our Received header
// first) and then one job per destination queue is enqueued — local recipients to delivery,
// remote ones to egress. Commit resolves only when blob and jobs are durable (brief §4.1: the blob
// at the latest with the first job, see PutBlobOptions.durableWithNextWrite); on any
// failure before that, the blob is deleted and nothing is queued.
import type { Logger } from '../../../core/log/logger.js';
import type { BlobPutResult, BlobStore } from '../../../core/ports/blob-store.js';
import type { JobQueue } from '../../../core/ports/job-queue.js';
import type { InboundDeliveryJob, OutboundDeliveryJob } from '../../../core/mail/jobs.js';
import type { MessageSpool, SpoolRequest, SpoolWriter } from '../session/types.js';
import { ChunkChannel } from './chunk-channel.js';

export interface SpoolStorage {
  readonly blobs: BlobStore;
  readonly inboundQueue: JobQueue<InboundDeliveryJob>;
  readonly outboundQueue: JobQueue<OutboundDeliveryJob>;
}

/** Octets buffered between the socket and the blob store per message: backpressure beyond this. */
const SPOOL_BUFFER_BYTES = 256 * 1024;

export class StorageMessageSpool implements MessageSpool {
  constructor(
    private readonly storage: SpoolStorage,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  open(request: SpoolRequest): SpoolWriter {
    return new StorageSpoolWriter(this.storage, request, this.logger, this.now);
  }
}

class StorageSpoolWriter implements SpoolWriter {
  private readonly channel = new ChunkChannel(SPOOL_BUFFER_BYTES);
  private readonly stored: Promise<BlobPutResult>;
  private putError: unknown = null;

  constructor(
    private readonly storage: SpoolStorage,
    private readonly request: SpoolRequest,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {
    const header = Buffer.from(request.receivedHeader);
    this.channel.push(header);
    // The job sent in commit() references the blob: one durable write (one fsync locally) covers both.
    this.stored = storage.blobs.put(this.channel, { prefix: 'spool/', maxBytes: request.maxBytes + header.length, durableWithNextWrite: true });
    this.stored.catch((error: unknown) => {
      this.putError = error;
    });
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.putError !== null) throw this.putError;
    if (!this.channel.push(chunk)) {
      const failed = this.stored.then(
        () => undefined,
        () => undefined,
      );
      await Promise.race([this.channel.room(), failed]);
    }
    if (this.putError !== null) throw this.putError;
  }

  async commit(): Promise<void> {
    this.channel.end();
    const blob = await this.stored;
    const { request } = this;
    const receivedAt = this.now().toISOString();
    const common = { messageId: request.messageId, blobKey: blob.key, sizeBytes: blob.sizeBytes, client: request.client, receivedAt };
    const sends: Promise<string>[] = [];
    if (request.localRecipients.length > 0) {
      sends.push(this.storage.inboundQueue.send({ kind: 'inbound', ...common, envelope: { ...request.envelope, recipients: request.localRecipients }, spf: request.spf }));
    }
    if (request.remoteRecipients.length > 0) {
      sends.push(this.storage.outboundQueue.send({ kind: 'outbound', ...common, envelope: { ...request.envelope, recipients: request.remoteRecipients } }));
    }
    const results = await Promise.allSettled(sends);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure === undefined) return;
    if (results.every((r) => r.status === 'rejected')) {
      await this.storage.blobs.delete(blob.key).catch((error: unknown) => this.logger.error('spool cleanup failed', { blobKey: blob.key, error }));
    } else {
      // One queue took its job and cannot take it back: keep the blob it points to. The client's
      // retry after our 451 may duplicate that half (at-least-once); never lose it.
      this.logger.error('message half-queued', { messageId: request.messageId, blobKey: blob.key });
    }
    throw failure.reason;
  }

  async abort(): Promise<void> {
    this.channel.fail(new Error('message aborted'));
    const blob = await this.stored.catch(() => null);
    if (blob !== null) await this.storage.blobs.delete(blob.key);
  }
}
