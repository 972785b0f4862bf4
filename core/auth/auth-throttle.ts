// Throttles authentication failures per client IP and per account, shared by SMTP, IMAP and POP3
// (design brief §4.5). A sliding window counts failures; past the limit, attempts are refused
// without checking the password, until the window slides. In-memory per process: on AWS each task
// throttles independently, which bounds guessing to limit × tasks per window.

export interface AuthThrottleOptions {
  readonly maxFailuresPerIp: number;
  readonly maxFailuresPerUser: number;
  readonly windowMs: number;
  readonly now?: () => number;
}

export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = { maxFailuresPerIp: 10, maxFailuresPerUser: 5, windowMs: 5 * 60_000 };

export class AuthThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: AuthThrottleOptions = DEFAULT_AUTH_THROTTLE) {
    this.now = options.now ?? Date.now;
  }

  /** True when this IP or account has failed too often recently. */
  isBlocked(ip: string, user: string | null): boolean {
    if (this.recent(`ip:${ip}`) >= this.options.maxFailuresPerIp) return true;
    return user !== null && this.recent(`user:${user.toLowerCase()}`) >= this.options.maxFailuresPerUser;
  }

  recordFailure(ip: string, user: string | null): void {
    this.push(`ip:${ip}`);
    if (user !== null) this.push(`user:${user.toLowerCase()}`);
  }

  private recent(key: string): number {
    const times = this.failures.get(key);
    if (!times) return 0;
    const cutoff = this.now() - this.options.windowMs;
    while (times.length > 0 && (times[0] ?? 0) <= cutoff) times.shift();
    if (times.length === 0) this.failures.delete(key);
    return times.length;
  }

  private push(key: string): void {
    this.recent(key);
    const times = this.failures.get(key) ?? [];
    times.push(this.now());
    this.failures.set(key, times);
  }
}
