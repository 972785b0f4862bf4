// Grouped fsync of a path (a directory after renames into it, or SQLite's WAL file after commits):
// every change made before an fsync of that path starts is covered by it, so callers that arrive
// while no fsync of the path has started share the next one; one that arrives while an fsync is
// running waits for the following one (the running fsync may have missed its change).
import { open } from 'node:fs/promises';

interface PathState {
  /** The fsync that has not started yet and will cover every change made before it starts. */
  next: Promise<void> | null;
  /** The fsync in progress, if any. */
  running: Promise<void> | null;
}

export class GroupedFsync {
  readonly #states = new Map<string, PathState>();

  /** Resolves once an fsync of `target` that started after this call has completed. */
  sync(target: string): Promise<void> {
    let state = this.#states.get(target);
    if (!state) {
      state = { next: null, running: null };
      this.#states.set(target, state);
    }
    if (state.next) return state.next;
    const current = state;
    const startAfter = current.running ?? Promise.resolve();
    const next: Promise<void> = startAfter
      .catch(() => undefined)
      .then(() => {
        current.next = null;
        current.running = next;
        return fsyncPath(target);
      })
      .finally(() => {
        if (current.running === next) current.running = null;
        if (!current.running && !current.next) this.#states.delete(target);
      });
    current.next = next;
    return next;
  }
}

async function fsyncPath(target: string): Promise<void> {
  let handle;
  try {
    handle = await open(target, 'r');
  } catch (error) {
    // SQLite deletes the WAL only after checkpointing it into the (fsynced) database: nothing to sync.
    if ((error as { code?: unknown }).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
