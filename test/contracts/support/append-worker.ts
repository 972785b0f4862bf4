// Worker of the parallel-append contract case: opens its own Storage client from the adapter set's
// recipe (its own SQLite connection / AWS SDK clients) and appends messages to one mailbox, noting
// after each append what it observed: the mailbox's UIDNEXT, then every UID then present.
import { parentPort, workerData } from 'node:worker_threads';
import { type PeerRecipe, openPeer } from './adapter-set.js';
import { sampleMessage } from './fixtures.js';

export interface AppendWorkerInput {
  readonly recipe: PeerRecipe;
  readonly mailboxId: string;
  readonly appends: number;
  readonly worker: number;
}

export interface Observation {
  readonly uidNext: number;
  readonly uids: number[];
}

export interface AppendWorkerOutput {
  readonly appendedUids: number[];
  readonly observations: Observation[];
}

async function main(input: AppendWorkerInput): Promise<AppendWorkerOutput> {
  const storage = await openPeer(input.recipe);
  try {
    const appendedUids: number[] = [];
    const observations: Observation[] = [];
    for (let i = 0; i < input.appends; i++) {
      const result = await storage.mailIndex.appendMessage(input.mailboxId, sampleMessage({ idempotencyKey: `w${input.worker}-m${i}` }));
      appendedUids.push(result.uid);
      const mailbox = await storage.mailIndex.getMailboxById(input.mailboxId);
      const uids = await storage.mailIndex.listUids(input.mailboxId);
      observations.push({ uidNext: mailbox!.uidNext, uids });
    }
    return { appendedUids, observations };
  } finally {
    await storage.close();
  }
}

main(workerData as AppendWorkerInput).then(
  (value) => parentPort!.postMessage({ value }),
  (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
