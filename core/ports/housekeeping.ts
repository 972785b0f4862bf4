// Storage housekeeping port: what the index remembers so that space comes back. A blob no message
// references any more gets a durable "unreferenced since T" record in the same transaction as the
// expunge, move or mailbox delete that dropped its last reference; a sweeper (core/storage/
// storage-housekeeper.ts) reclaims it after a grace period. Also prunes bookkeeping rows that may be
// forgotten: expunged UIDs (RFC 7162 §3.2.5.2 allows it) and append idempotency keys.

export interface StorageHousekeeping {
  /**
   * Blob keys unreferenced since before `unreferencedBefore`, at most `limit`. Each returned key is
   * claimed: from now on an append of that key fails with StorageError('not-found'), so deleting
   * the blob can never leave a dangling reference. A key whose reference came back meanwhile is not
   * returned (its record is dropped). Keys claimed by an earlier sweep that did not finish (a crash
   * before `forgetReclaimedBlobs`) are returned again.
   */
  claimUnreferencedBlobs(unreferencedBefore: Date, limit: number): Promise<string[]>;
  /** Called once the claimed blobs are deleted from the blob store: drops their records and anything cached per blob. */
  forgetReclaimedBlobs(blobKeys: readonly string[]): Promise<void>;
  /**
   * Finishes mailbox deletions marked before `deletedBefore` whose purge of messages did not complete
   * (a crash mid-way): their message rows go and release their quota and blob references. Adapters
   * whose deleteMailbox is one atomic step have none and do nothing.
   */
  finishMailboxDeletions(deletedBefore: Date): Promise<{ readonly finished: number }>;
  /**
   * Forgets expunged UIDs remembered for QRESYNC that were expunged before `expungedBefore`. The
   * index then answers changesSince for older MODSEQs with `vanishedComplete: false`. Adapters whose
   * backend expires these by itself (DynamoDB TTL) may do nothing here.
   */
  pruneExpungedUids(expungedBefore: Date): Promise<{ readonly pruned: number }>;
  /**
   * Forgets append idempotency keys used before `usedBefore` (older than any redelivery of the job
   * queue). Adapters whose backend expires these by itself (DynamoDB TTL) may do nothing here.
   */
  pruneIdempotencyKeys(usedBefore: Date): Promise<{ readonly pruned: number }>;
}
