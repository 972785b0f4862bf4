// Counts failed attempts (logins) per key in fixed time windows: the memory of the auth throttle
// (core/auth/auth-throttle.ts). Where the adapter allows, every process of a deployment shares the
// counts, so N tasks behind the NLB give a password guesser the limit once, not N times.

/** Failures of one key in the window that contains the asked time and in the window before it. */
export interface AttemptWindowCounts {
  readonly current: number;
  readonly previous: number;
}

export interface AttemptCounter {
  /**
   * Counts one failure for `key` in the window of `windowSeconds` containing `atMs` (windows are
   * aligned to the Unix epoch: window n covers [n·w, (n+1)·w) seconds). One write, atomic.
   */
  recordFailure(key: string, windowSeconds: number, atMs: number): Promise<void>;
  /** The counts of the window containing `atMs` and of the one before it. One read. */
  recentFailures(key: string, windowSeconds: number, atMs: number): Promise<AttemptWindowCounts>;
}

/** The window index that contains `atMs`. */
export function attemptWindowOf(windowSeconds: number, atMs: number): number {
  return Math.floor(atMs / 1000 / windowSeconds);
}
