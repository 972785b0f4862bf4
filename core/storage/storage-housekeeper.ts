// The storage housekeeper: frees the blobs of expunged mail and prunes bookkeeping rows, over any
// adapter set (core/ports/housekeeping.ts). A blob is deleted only after it has been unreferenced
// for a grace period and a sweep has claimed it, so a crash at any step leaves at most a leak that
// the next sweep fixes, never a message whose blob is gone. Idempotent: several processes (mail
// access tasks) may sweep the same backend at once. docs/storage.md, "Housekeeping".
import type { HousekeepingConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import type { Storage } from '../ports/index.js';

/** Grace period, retentions and interval: core/config's HousekeepingConfig (YUBIN_BLOB_GRACE_MINUTES, …). */
export type HousekeepingSettings = HousekeepingConfig;

/** Blobs claimed per round: bounds one round's index writes and the work redone after a crash. */
const CLAIM_BATCH = 200;
/** A mailbox deletion still marked after this long was cut short (a purge takes seconds to minutes). */
const INTERRUPTED_DELETION_MS = 15 * 60_000;

export interface SweepReport {
  /** Mailbox deletions a crash had cut short, finished now (their references are released before blobs are claimed). */
  readonly mailboxDeletionsFinished: number;
  readonly blobsFreed: number;
  /** Claimed blobs whose delete failed; still claimed, retried by the next sweep. */
  readonly blobsFailed: number;
  readonly expungedUidsPruned: number;
  readonly idempotencyKeysPruned: number;
}

export class StorageHousekeeper {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<SweepReport> | null = null;

  constructor(
    private readonly storage: Pick<Storage, 'blobs' | 'housekeeping'>,
    private readonly settings: HousekeepingSettings,
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Sweeps every `intervalMs` (first after one interval); the timer never keeps the process alive. */
  start(): void {
    if (this.settings.intervalMs <= 0 || this.#timer !== null) return;
    this.#timer = setInterval(() => {
      if (this.#running === null) void this.sweep().catch((error: unknown) => this.logger.error('housekeeping sweep failed', { error }));
    }, this.settings.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  /** One full sweep; concurrent calls share the one in progress. */
  sweep(): Promise<SweepReport> {
    this.#running ??= this.#sweepOnce().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #sweepOnce(): Promise<SweepReport> {
    const now = this.clock();
    const { housekeeping, blobs } = this.storage;
    const deletions = await housekeeping.finishMailboxDeletions(new Date(now - INTERRUPTED_DELETION_MS));
    let blobsFreed = 0;
    let blobsFailed = 0;
    for (;;) {
      const claimed = await housekeeping.claimUnreferencedBlobs(new Date(now - this.settings.blobGraceMs), CLAIM_BATCH);
      const deleted: string[] = [];
      for (const key of claimed) {
        try {
          await blobs.delete(key);
          deleted.push(key);
        } catch (error) {
          this.logger.warn('could not delete an unreferenced blob; the next sweep retries', { blobKey: key, error });
        }
      }
      await housekeeping.forgetReclaimedBlobs(deleted);
      blobsFreed += deleted.length;
      blobsFailed += claimed.length - deleted.length;
      // Failed keys stay claimed and would come back at once: stop this sweep rather than spin on them.
      if (claimed.length < CLAIM_BATCH || deleted.length < claimed.length) break;
    }
    const expunged = await housekeeping.pruneExpungedUids(new Date(now - this.settings.expungedUidRetentionMs));
    const idempotency = await housekeeping.pruneIdempotencyKeys(new Date(now - this.settings.idempotencyRetentionMs));
    const report = {
      mailboxDeletionsFinished: deletions.finished,
      blobsFreed,
      blobsFailed,
      expungedUidsPruned: expunged.pruned,
      idempotencyKeysPruned: idempotency.pruned,
    };
    if (Object.values(report).some((count) => count > 0)) this.logger.info('housekeeping sweep', report);
    return report;
  }
}
