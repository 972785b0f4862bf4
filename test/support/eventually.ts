// Bounded polling for tests: conditions that depend on timers, queues or other processes are
// checked every 50 ms until they hold or the time runs out (tests never sleep blindly).

/** Polls `probe` until it returns a value other than undefined, and returns that value. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls `condition` until it is true. */
export async function eventuallyTrue(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => ((await condition()) ? true : undefined), what, timeoutMs);
}
