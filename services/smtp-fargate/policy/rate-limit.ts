// Per-IP rate limits: new connections (connect phase) and messages (mail phase) per window →
// 421 4.7.0. A sliding window of timestamps per IP, in memory per process: on AWS each task limits
// independently (as Postfix's anvil counts per host), which bounds a sender to limit × tasks; unlike
// password guesses (core/auth, shared across tasks) a flood costs nothing worth a shared write.
import { replies } from '../session/replies.js';
import type { ConnectContext, MailContext, PolicyCheck } from './verdict.js';

export interface RateLimit {
  readonly max: number;
  readonly windowMs: number;
}

/** One key's hits in time order; those before `start` have left the window. */
interface Hits {
  times: number[];
  start: number;
}

export class SlidingWindowCounter {
  private readonly hits = new Map<string, Hits>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a hit for `key`; false when the key is already at its limit (the hit is not counted). */
  tryHit(key: string): boolean {
    const now = this.now();
    const cutoff = now - this.limit.windowMs;
    let hits = this.hits.get(key);
    if (hits === undefined) {
      hits = { times: [], start: 0 };
      this.hits.set(key, hits);
    }
    // Amortised O(1) per hit: a busy sender keeps up to `max` (6,000) hits in its window.
    while (hits.start < hits.times.length && hits.times[hits.start]! <= cutoff) hits.start++;
    if (hits.start > 1024 && hits.start * 2 > hits.times.length) {
      hits.times = hits.times.slice(hits.start);
      hits.start = 0;
    }
    if (hits.times.length - hits.start >= this.limit.max) return false;
    hits.times.push(now);
    if (this.hits.size > 100_000) this.prune(cutoff); // bound memory under a wide scan
    return true;
  }

  private prune(cutoff: number): void {
    for (const [key, hits] of this.hits) if ((hits.times.at(-1) ?? cutoff) <= cutoff) this.hits.delete(key);
  }
}

export function connectionRateCheck(limit: RateLimit, now?: () => number): PolicyCheck<ConnectContext> {
  const counter = new SlidingWindowCounter(limit, now);
  return {
    name: 'connection-rate',
    check: ({ clientIp }) => (counter.tryHit(clientIp) ? { kind: 'continue' } : { kind: 'tempfail', reply: replies.tooManyConnections() }),
  };
}

export function messageRateCheck(limit: RateLimit, now?: () => number): PolicyCheck<MailContext> {
  const counter = new SlidingWindowCounter(limit, now);
  return {
    name: 'message-rate',
    check: ({ clientIp }) => (counter.tryHit(clientIp) ? { kind: 'continue' } : { kind: 'tempfail', reply: replies.tooManyMessages() }),
  };
}
