// Per-IP rate limits: new connections (connect phase) and messages (mail phase) per window →
// 421 4.7.0. A sliding window of timestamps per IP, in memory per process (like AuthThrottle):
// on AWS each task limits independently, which bounds a sender to limit × tasks.
import { replies } from '../session/replies.js';
import type { ConnectContext, MailContext, PolicyCheck } from './verdict.js';

export interface RateLimit {
  readonly max: number;
  readonly windowMs: number;
}

export class SlidingWindowCounter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a hit for `key`; false when the key is already at its limit (the hit is not counted). */
  tryHit(key: string): boolean {
    const cutoff = this.now() - this.limit.windowMs;
    const times = (this.hits.get(key) ?? []).filter((t) => t > cutoff);
    if (times.length >= this.limit.max) {
      this.hits.set(key, times);
      return false;
    }
    times.push(this.now());
    this.hits.set(key, times);
    if (this.hits.size > 100_000) this.prune(cutoff); // bound memory under a wide scan
    return true;
  }

  private prune(cutoff: number): void {
    for (const [key, times] of this.hits) if (!times.some((t) => t > cutoff)) this.hits.delete(key);
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
