// What a mailbox counter item remembers about its expunges, so that changesSince knows when DynamoDB
// TTL may have taken tombstones (VANISHED memory) away. Tombstones expire VANISHED_RETENTION_SECONDS
// after their expunge; the log keeps the highest expunge MODSEQ per week, and every week whose first
// tombstone may have expired folds into `prunedModseq`. Below that MODSEQ `vanished` may be partial
// (RFC 7162 §3.2.5.2 lets a server forget; callers then fall back to "every UID not present").
// At most retention / week + 1 entries (~14, a few hundred bytes on the counter item).
import { VANISHED_RETENTION_SECONDS } from './table-design.js';

/** Width of one log entry: the precision of the forgotten-MODSEQ estimate, never its safety. */
export const EXPUNGE_LOG_BUCKET_SECONDS = 7 * 24 * 3600;

/** `[bucket start in epoch seconds, highest expunge MODSEQ in it]`, oldest first. */
export type ExpungeLogEntry = readonly [number, number];

export interface ExpungeLog {
  readonly entries: readonly ExpungeLogEntry[];
  /** Expunges up to this MODSEQ may be forgotten. */
  readonly prunedModseq: number;
}

/** A bucket's tombstones may start expiring once its start is a retention period ago. */
function mayHaveExpired(entry: ExpungeLogEntry, nowMs: number): boolean {
  return entry[0] + VANISHED_RETENTION_SECONDS <= nowMs / 1000;
}

/** The log after an expunge at `nowMs` that took `modseq`. */
export function recordExpunge(log: ExpungeLog, modseq: number, nowMs: number): ExpungeLog {
  const bucket = Math.floor(nowMs / 1000 / EXPUNGE_LOG_BUCKET_SECONDS) * EXPUNGE_LOG_BUCKET_SECONDS;
  let prunedModseq = log.prunedModseq;
  const kept: ExpungeLogEntry[] = [];
  for (const entry of log.entries) {
    if (mayHaveExpired(entry, nowMs)) prunedModseq = Math.max(prunedModseq, entry[1]);
    else if (entry[0] !== bucket) kept.push(entry);
  }
  const current = log.entries.find((entry) => entry[0] === bucket);
  kept.push([bucket, Math.max(modseq, current?.[1] ?? 0)]);
  return { entries: kept, prunedModseq };
}

/** The highest MODSEQ whose expunge may have been forgotten by now. */
export function forgottenModseq(log: ExpungeLog, nowMs: number): number {
  let modseq = log.prunedModseq;
  for (const entry of log.entries) if (mayHaveExpired(entry, nowMs)) modseq = Math.max(modseq, entry[1]);
  return modseq;
}
