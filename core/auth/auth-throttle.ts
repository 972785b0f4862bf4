// Throttles authentication failures per client IP and per account, shared by SMTP, IMAP and POP3
// (design brief §4.5). Failures are counted through the AttemptCounter port, so on AWS every task
// sees every other task's failures; past the limit, attempts are refused without checking the
// password. Failures count over the current and the previous window (so for one to two windows):
// never fewer than the failures of the last full window, so a guesser cannot time the window edge.
import type { AttemptCounter } from '../ports/attempt-counter.js';

export interface AuthThrottleOptions {
  readonly maxFailuresPerIp: number;
  readonly maxFailuresPerUser: number;
  /** Whole seconds; shorter values are rounded up to one second (the counter's resolution). */
  readonly windowMs: number;
  /**
   * How long a key seen under its limit is trusted without reading the counter again, so a user's
   * client reconnecting every minute does not pay a round trip per login. A local failure for the
   * key clears it at once; failures on other tasks can go unseen this long (at most one extra try
   * per task and key). 0 reads every time.
   */
  readonly clearVerdictCacheMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = { maxFailuresPerIp: 10, maxFailuresPerUser: 5, windowMs: 5 * 60_000, clearVerdictCacheMs: 10_000 };

/** Clear verdicts remembered at most (bounded memory under a scan from many addresses). */
const MAX_CACHED_VERDICTS = 50_000;

export class AuthThrottle {
  private readonly now: () => number;
  private readonly windowSeconds: number;
  private readonly cacheMs: number;
  /** Keys last seen under their limit → until when that verdict is trusted. */
  private readonly clearUntil = new Map<string, number>();

  constructor(
    private readonly counter: AttemptCounter,
    private readonly options: AuthThrottleOptions = DEFAULT_AUTH_THROTTLE,
  ) {
    this.now = options.now ?? Date.now;
    this.windowSeconds = Math.max(1, Math.ceil(options.windowMs / 1000));
    this.cacheMs = options.clearVerdictCacheMs ?? 0;
  }

  /** True when this IP or account has failed too often recently. */
  async isBlocked(ip: string, user: string | null): Promise<boolean> {
    const checks = [this.overLimit(`ip:${ip}`, this.options.maxFailuresPerIp)];
    if (user !== null) checks.push(this.overLimit(`user:${user.toLowerCase()}`, this.options.maxFailuresPerUser));
    return (await Promise.all(checks)).some(Boolean);
  }

  async recordFailure(ip: string, user: string | null): Promise<void> {
    const keys = [`ip:${ip}`, ...(user === null ? [] : [`user:${user.toLowerCase()}`])];
    for (const key of keys) this.clearUntil.delete(key);
    const at = this.now();
    await Promise.all(keys.map((key) => this.counter.recordFailure(key, this.windowSeconds, at)));
  }

  private async overLimit(key: string, limit: number): Promise<boolean> {
    const at = this.now();
    if ((this.clearUntil.get(key) ?? 0) > at) return false;
    const { current, previous } = await this.counter.recentFailures(key, this.windowSeconds, at);
    const blocked = current + previous >= limit;
    if (!blocked && this.cacheMs > 0) {
      if (this.clearUntil.size >= MAX_CACHED_VERDICTS) this.clearUntil.clear();
      this.clearUntil.set(key, at + this.cacheMs);
    }
    return blocked;
  }
}
