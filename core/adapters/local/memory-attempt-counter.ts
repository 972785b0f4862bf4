// The local AttemptCounter: counts in this process's memory. Locally one process owns the deployment
// (`npm start` runs SMTP, IMAP and POP3 together over one Storage), so nothing needs sharing, and a
// restart forgetting a few failed logins costs nothing. Only the current and previous windows are kept.
import { attemptWindowOf, type AttemptCounter, type AttemptWindowCounts } from '../../ports/attempt-counter.js';

/** Keys remembered at most (a scan from many addresses must not grow memory without bound). */
const MAX_KEYS = 100_000;

interface KeyCounts {
  window: number;
  current: number;
  previous: number;
}

export class MemoryAttemptCounter implements AttemptCounter {
  private readonly counts = new Map<string, KeyCounts>();

  recordFailure(key: string, windowSeconds: number, atMs: number): Promise<void> {
    const counts = this.shifted(key, attemptWindowOf(windowSeconds, atMs)) ?? { window: attemptWindowOf(windowSeconds, atMs), current: 0, previous: 0 };
    counts.current += 1;
    // Re-inserting keeps the Map in least-recently-failed order, so the oldest key goes first.
    this.counts.delete(key);
    this.counts.set(key, counts);
    if (this.counts.size > MAX_KEYS) this.counts.delete(this.counts.keys().next().value as string);
    return Promise.resolve();
  }

  recentFailures(key: string, windowSeconds: number, atMs: number): Promise<AttemptWindowCounts> {
    const counts = this.shifted(key, attemptWindowOf(windowSeconds, atMs));
    return Promise.resolve({ current: counts?.current ?? 0, previous: counts?.previous ?? 0 });
  }

  /** The key's counts moved on to `window` (older windows dropped); undefined when nothing recent is left. */
  private shifted(key: string, window: number): KeyCounts | undefined {
    const counts = this.counts.get(key);
    if (!counts) return undefined;
    // The same window, or a clock stepped back: keep counting in the newest (erring towards blocking).
    if (counts.window >= window) return counts;
    if (counts.window === window - 1) return { window, current: 0, previous: counts.current };
    this.counts.delete(key);
    return undefined;
  }
}
