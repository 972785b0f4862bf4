// The storage a deployable gets from its composition root: one object per port.
import type { AttemptCounter } from './attempt-counter.js';
import type { BlobStore } from './blob-store.js';
import type { ChangeFeed } from './change-feed.js';
import type { Directory } from './directory.js';
import type { StorageHousekeeping } from './housekeeping.js';
import type { JobQueue } from './job-queue.js';
import type { MailIndex } from './mail-index.js';
import type { TextIndex } from './text-index.js';
import type { InboundDeliveryJob, OutboundDeliveryJob } from '../mail/jobs.js';

export interface Storage {
  readonly blobs: BlobStore;
  readonly directory: Directory;
  readonly mailIndex: MailIndex;
  readonly inboundQueue: JobQueue<InboundDeliveryJob>;
  readonly outboundQueue: JobQueue<OutboundDeliveryJob>;
  readonly changes: ChangeFeed;
  /** Absent where no full-text index exists (AWS): SEARCH TEXT/BODY then reads every message. */
  readonly textIndex?: TextIndex;
  /** Blob reclamation and pruning, run by core/storage/storage-housekeeper.ts. */
  readonly housekeeping: StorageHousekeeping;
  /** Failed-login counts for the auth throttle: per process locally, shared across tasks on AWS. */
  readonly attempts: AttemptCounter;
  close(): Promise<void>;
}

export type * from './attempt-counter.js';
export type * from './blob-store.js';
export type * from './change-feed.js';
export type * from './directory.js';
export type * from './housekeeping.js';
export type * from './job-queue.js';
export type * from './mail-index.js';
export type * from './text-index.js';
export { StorageError, isStorageError, type StorageErrorCode } from './errors.js';
export { attemptWindowOf } from './attempt-counter.js';
export { MAILBOX_DELIMITER, MAX_APPEND_BATCH_MESSAGES } from './mail-index.js';
