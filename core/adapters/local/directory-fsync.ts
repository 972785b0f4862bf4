// Grouped directory fsync: after rename(tmp, final) the new directory entry is durable only once the
// directory itself is fsynced. Renames that land while no fsync of that directory has started share
// the next one; a rename that lands while one is running waits for the following one (the running
// fsync may have missed it).
import { open } from 'node:fs/promises';

interface DirectoryState {
  /** The fsync that has not started yet and will cover every rename done before it starts. */
  next: Promise<void> | null;
  /** The fsync in progress, if any. */
  running: Promise<void> | null;
}

export class DirectoryFsync {
  readonly #states = new Map<string, DirectoryState>();

  /** Resolves once an fsync of `directory` that started after this call has completed. */
  sync(directory: string): Promise<void> {
    let state = this.#states.get(directory);
    if (!state) {
      state = { next: null, running: null };
      this.#states.set(directory, state);
    }
    if (state.next) return state.next;
    const current = state;
    const startAfter = current.running ?? Promise.resolve();
    const next: Promise<void> = startAfter
      .catch(() => undefined)
      .then(() => {
        current.next = null;
        current.running = next;
        return fsyncDirectory(directory);
      })
      .finally(() => {
        if (current.running === next) current.running = null;
        if (!current.running && !current.next) this.#states.delete(directory);
      });
    current.next = next;
    return next;
  }
}

async function fsyncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
