// What an adapter set provides to the contract suite (kept apart from adapter-sets.ts so that set
// modules can import it without an import cycle through the list).
import type { Storage } from '../../../core/ports/index.js';

/** Every adapter set must configure its job queues' dead-letter threshold (maxReceiveCount) to this. */
export const CONTRACT_QUEUE_MAX_ATTEMPTS = 3;

/**
 * How another client (a worker thread, a second process) opens its own Storage on the same backend:
 * `await import(moduleUrl)[exportName](options)`. Options must survive structured clone.
 */
export interface PeerRecipe {
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly options: unknown;
}

export interface OpenedAdapterSet {
  readonly storage: Storage;
  /** Opens independent clients of the same data, as other processes or containers would. */
  readonly peerRecipe: PeerRecipe;
  /** Closes `storage` and removes everything the set created. */
  cleanup(): Promise<void>;
}

export interface AdapterSet {
  readonly name: string;
  /** A fresh, empty backend (own data dir, tables, queues, bucket). */
  open(): Promise<OpenedAdapterSet>;
}

/** Opens a peer client from a recipe (in this thread; workers use the same recipe). */
export async function openPeer(recipe: PeerRecipe): Promise<Storage> {
  const module = (await import(recipe.moduleUrl)) as Record<string, (options: unknown) => Promise<Storage>>;
  const open = module[recipe.exportName];
  if (typeof open !== 'function') throw new Error(`${recipe.moduleUrl} exports no ${recipe.exportName}`);
  return open(recipe.options);
}
