// What one delivery attempt came to, and the retry schedule both hosts (worker, Lambda) apply.

export type RecipientDisposition =
  | {
      readonly recipient: string;
      readonly result: 'filed';
      readonly userId: string;
      readonly mailboxId: string;
      readonly uid: number;
      readonly duplicate: boolean;
      readonly reason: 'spam' | 'filter' | 'inbox';
    }
  | { readonly recipient: string; readonly result: 'forwarded'; readonly to: string }
  | { readonly recipient: string; readonly result: 'failed'; readonly status: string; readonly diagnostic: string }
  | { readonly recipient: string; readonly result: 'rejected'; readonly reason: string };

export type DeliveryOutcome =
  /** Every recipient is done (filed, forwarded, bounced or rejected by policy): ack the job. */
  | { readonly kind: 'delivered'; readonly dispositions: readonly RecipientDisposition[] }
  /** A transient failure: try the whole job again after the delay (appends already made are idempotent). */
  | { readonly kind: 'retry'; readonly reason: string; readonly delaySeconds: number }
  /** The job can never succeed: leave it for the dead-letter queue, with the reason logged. */
  | { readonly kind: 'dead'; readonly reason: string };

export interface BackoffPolicy {
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

/** 30 s, 1 min, 2 min … capped at an hour: storage outages are short, and SQS allows ≤ 12 h. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseSeconds: 30, maxSeconds: 3600 };

/** Exponential backoff for the given 1-based attempt. */
export function retryDelaySeconds(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 20);
  return Math.min(policy.baseSeconds * 2 ** exponent, policy.maxSeconds);
}
