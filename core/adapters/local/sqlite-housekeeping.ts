// StorageHousekeeping on SQLite: the unreferenced_blobs records that expunge, move and mailbox
// delete write in their own transactions (sqlite-message-writes.ts), and batched pruning of expunged
// UIDs and idempotency keys. Every step is one short group-commit write, so a large backlog never
// holds the event loop for long.
import type { StorageHousekeeping } from '../../ports/housekeeping.js';
import type { GroupCommitter } from './group-commit.js';
import { type PreparedStatement, type SqliteDatabase, statementCache } from './sqlite-database.js';

/** Rows deleted per transaction while pruning: each batch is milliseconds of synchronous SQLite. */
const PRUNE_BATCH_ROWS = 2_000;

export class SqliteHousekeeping implements StorageHousekeeping {
  readonly #sql: (sql: string) => PreparedStatement;
  readonly #committer: GroupCommitter;

  constructor(db: SqliteDatabase, committer: GroupCommitter) {
    this.#sql = statementCache(db);
    this.#committer = committer;
  }

  async claimUnreferencedBlobs(unreferencedBefore: Date, limit: number): Promise<string[]> {
    return this.#committer.write(() => {
      const candidates = this.#sql('SELECT blob_key FROM unreferenced_blobs WHERE since < ? ORDER BY since LIMIT ?')
        .pluck()
        .all(unreferencedBefore.getTime(), limit) as string[];
      const referenced = this.#sql('SELECT 1 FROM messages WHERE blob_key = ? LIMIT 1').pluck();
      const claimed: string[] = [];
      for (const key of candidates) {
        // The reference came back (an append of the same key, e.g. a delivery to a second recipient).
        if (referenced.get(key) !== undefined) {
          this.#sql('DELETE FROM unreferenced_blobs WHERE blob_key = ?').run(key);
          continue;
        }
        this.#sql('UPDATE unreferenced_blobs SET claimed_at = coalesce(claimed_at, ?) WHERE blob_key = ?').run(Date.now(), key);
        claimed.push(key);
      }
      return claimed;
    });
  }

  async forgetReclaimedBlobs(blobKeys: readonly string[]): Promise<void> {
    if (blobKeys.length === 0) return;
    await this.#committer.write(() => {
      this.#sql('DELETE FROM unreferenced_blobs WHERE claimed_at IS NOT NULL AND blob_key IN (SELECT value FROM json_each(?))').run(
        JSON.stringify(blobKeys),
      );
    });
  }

  async finishMailboxDeletions(): Promise<{ readonly finished: number }> {
    return { finished: 0 }; // deleteMailbox is one SQLite transaction: there is never one half done
  }

  async pruneExpungedUids(expungedBefore: Date): Promise<{ readonly pruned: number }> {
    const cutoff = expungedBefore.getTime();
    return this.#inBatches(() => {
      // Remember, per mailbox, the highest MODSEQ forgotten: changesSince below it is no longer complete.
      this.#sql(
        `UPDATE mailboxes SET vanished_pruned_modseq = batch.modseq
         FROM (SELECT mailbox_id, max(modseq) AS modseq FROM (
                 SELECT mailbox_id, modseq FROM vanished WHERE expunged_at < @cutoff ORDER BY expunged_at LIMIT @limit)
               GROUP BY mailbox_id) AS batch
         WHERE mailboxes.id = batch.mailbox_id AND batch.modseq > mailboxes.vanished_pruned_modseq`,
      ).run({ cutoff, limit: PRUNE_BATCH_ROWS });
      return this.#sql(
        `DELETE FROM vanished WHERE (mailbox_id, uid) IN (
           SELECT mailbox_id, uid FROM vanished WHERE expunged_at < @cutoff ORDER BY expunged_at LIMIT @limit)`,
      ).run({ cutoff, limit: PRUNE_BATCH_ROWS }).changes;
    });
  }

  async pruneIdempotencyKeys(usedBefore: Date): Promise<{ readonly pruned: number }> {
    const cutoff = usedBefore.getTime();
    return this.#inBatches(
      () =>
        this.#sql(
          `DELETE FROM append_keys WHERE (mailbox_id, idempotency_key) IN (
             SELECT mailbox_id, idempotency_key FROM append_keys WHERE appended_at < @cutoff ORDER BY appended_at LIMIT @limit)`,
        ).run({ cutoff, limit: PRUNE_BATCH_ROWS }).changes,
    );
  }

  /** Runs `deleteBatch` (returns rows deleted) in separate transactions until a batch comes back short. */
  async #inBatches(deleteBatch: () => number): Promise<{ readonly pruned: number }> {
    let pruned = 0;
    for (;;) {
      const deleted = await this.#committer.write(deleteBatch);
      pruned += deleted;
      if (deleted < PRUNE_BATCH_ROWS) return { pruned };
    }
  }
}
