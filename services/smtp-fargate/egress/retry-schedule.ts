// When to try a deferred message again, and when to give up. Waits are queue delays, not sleeping
// workers: a new job is sent with a delay; SQS delays stop at 900 s, so longer waits are chained
// (the job carries `notBefore` and is passed on until then).
import type { EgressSettings } from './egress-settings.js';

/** SQS DelaySeconds maximum; the local queue keeps the same limit. */
export const MAX_QUEUE_DELAY_SECONDS = 900;

export type RetrySettings = Pick<
  EgressSettings,
  'retryBaseDelaySeconds' | 'maxRetryDelaySeconds' | 'expirySeconds' | 'delayNoticeAfterSeconds'
>;

/** After the n-th failed attempt (1-based): base · 2^(n−1), capped (RFC 5321 §4.5.4.1: at least 30 min apart is usual; we start sooner). */
export function retryDelaySeconds(failedAttempts: number, settings: RetrySettings): number {
  return Math.min(settings.maxRetryDelaySeconds, settings.retryBaseDelaySeconds * 2 ** Math.max(0, failedAttempts - 1));
}

export function expiresAt(firstAttemptAt: Date, settings: RetrySettings): Date {
  return new Date(firstAttemptAt.getTime() + settings.expirySeconds * 1000);
}

/** The delay to put on the queue message for a job due at `due`. */
export function queueDelaySeconds(due: Date, now: Date): number {
  return Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil((due.getTime() - now.getTime()) / 1000)));
}
