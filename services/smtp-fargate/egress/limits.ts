// Sending limits that keep our reputation with receivers and stop a hijacked account from spamming:
// per destination domain, at most N sessions at once and M messages a minute (large providers
// throttle senders that open too many connections); per user, a cap on recipients per UTC day.
import { setTimeout as sleep } from 'node:timers/promises';

interface DomainState {
  active: number;
  readonly waiting: (() => void)[];
  /** Token bucket (messages), refilled continuously at perMinute / 60 s; holds one second's worth. */
  tokens: number;
  refilledAt: number;
}

export class DomainLimiter {
  private readonly domains = new Map<string, DomainState>();

  /** `messagesPerMinute` 0 = no rate limit. */
  constructor(
    private readonly concurrency: number,
    private readonly messagesPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  private stateOf(domain: string): DomainState {
    let state = this.domains.get(domain);
    if (!state) {
      state = { active: 0, waiting: [], tokens: this.burst(), refilledAt: this.now() };
      this.domains.set(domain, state);
    }
    return state;
  }

  /** A burst of one second's worth, so a minute's quota is spread over the minute. */
  private burst(): number {
    return Math.max(1, Math.ceil(this.messagesPerMinute / 60));
  }

  private async takeToken(state: DomainState): Promise<void> {
    if (this.messagesPerMinute === 0) return;
    for (;;) {
      const now = this.now();
      state.tokens = Math.min(this.burst(), state.tokens + ((now - state.refilledAt) * this.messagesPerMinute) / 60_000);
      state.refilledAt = now;
      if (state.tokens >= 1) {
        state.tokens -= 1;
        return;
      }
      // A short wait (under one message interval), not a queue delay: the job is already in hand.
      await sleep(Math.ceil(((1 - state.tokens) * 60_000) / this.messagesPerMinute));
    }
  }

  /** Runs `work` once the domain has a free session slot and a rate token. */
  async run<T>(domain: string, work: () => Promise<T>): Promise<T> {
    const state = this.stateOf(domain);
    if (state.active >= this.concurrency) await new Promise<void>((resolve) => state.waiting.push(resolve));
    else state.active += 1;
    try {
      await this.takeToken(state);
      return await work();
    } finally {
      const next = state.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else state.active -= 1;
    }
  }
}

/**
 * Recipients per user per UTC day, counted by this worker process at the first attempt of each
 * message (retries do not count twice). Over the cap, a message waits for the next day.
 */
export class DailyRecipientCap {
  private day = '';
  private readonly sent = new Map<string, number>();

  /** `cap` 0 = unlimited. */
  constructor(
    readonly cap: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts the recipients and returns true, or returns false (and counts nothing) when over the cap. */
  tryConsume(user: string, recipients: number): boolean {
    if (this.cap === 0) return true;
    const today = new Date(this.now()).toISOString().slice(0, 10);
    if (today !== this.day) {
      this.day = today;
      this.sent.clear();
    }
    const used = this.sent.get(user) ?? 0;
    if (used + recipients > this.cap) return false;
    this.sent.set(user, used + recipients);
    return true;
  }

  /** When the cap resets: the next UTC midnight. */
  nextReset(): Date {
    const reset = new Date(this.now());
    reset.setUTCHours(24, 0, 0, 0);
    return reset;
  }
}
