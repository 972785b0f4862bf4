// Grouped fsync of a path (a directory after renames into it, or SQLite's WAL file after commits):
// an fsync covers every change made before it starts, so callers share one that has not started
// yet. Up to `maxInFlight` fsyncs of a path may run at once: a caller arriving while fewer run
// starts one at once instead of waiting for the running one (which may have missed its change) to
// end. On these virtio disks two overlapping fdatasyncs finish far sooner than two in a row
// (docs/storage.md, "Durability"); with one allowed, callers take turns as before.
import { open } from 'node:fs/promises';

export interface GroupedFsyncOptions {
  /** fsyncs of one path allowed at once (each holds a libuv pool thread while it runs). Default 1. */
  readonly maxInFlight?: number;
  /** Makes everything written to `target` so far durable. Default: open, fsync, close. */
  readonly syncNow?: (target: string) => Promise<void>;
}

interface PathState {
  running: number;
  /** The fsync that has not started yet (all slots busy) and will cover every change made before it starts. */
  next: Promise<void> | null;
  /** Starts `next` when a slot frees. */
  startNext: (() => void) | null;
}

export class GroupedFsync {
  readonly #states = new Map<string, PathState>();
  readonly #maxInFlight: number;
  readonly #syncNow: (target: string) => Promise<void>;

  constructor(options: GroupedFsyncOptions = {}) {
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 1);
    this.#syncNow = options.syncNow ?? fsyncPath;
  }

  /** Resolves once an fsync of `target` that started after this call has completed. */
  sync(target: string): Promise<void> {
    let state = this.#states.get(target);
    if (!state) {
      state = { running: 0, next: null, startNext: null };
      this.#states.set(target, state);
    }
    if (state.next) return state.next;
    if (state.running < this.#maxInFlight) return this.#start(target, state);
    const current = state;
    current.next = new Promise<void>((resolve, reject) => {
      current.startNext = () => {
        current.next = null;
        current.startNext = null;
        this.#start(target, current).then(resolve, reject);
      };
    });
    return current.next;
  }

  #start(target: string, state: PathState): Promise<void> {
    state.running++;
    const settled = () => {
      state.running--;
      if (state.startNext) state.startNext();
      else if (state.running === 0) this.#states.delete(target);
    };
    const running = this.#syncNow(target);
    running.then(settled, settled);
    return running;
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
