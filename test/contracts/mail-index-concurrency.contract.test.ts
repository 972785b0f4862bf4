// MailIndex contract, concurrency (design brief §4.3): N clients, each with its own connection in
// its own worker thread, append to one mailbox at once. UIDs come out unique and ascending per
// client, and no client ever sees a message appear with a UID below a UIDNEXT it had already seen.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';
import type { AppendWorkerInput, AppendWorkerOutput, Observation } from './support/append-worker.js';
import { freshUserId } from './support/fixtures.js';
import { runTsWorker } from './support/worker-thread.js';

const WORKERS = 4;
const APPENDS_PER_WORKER = 25;

/** Within one client's timeline: a UID below an earlier-seen UIDNEXT must already have been visible then. */
function assertNoLateLowUids(observations: readonly Observation[], client: string): void {
  for (let earlier = 0; earlier < observations.length; earlier++) {
    const before = observations[earlier]!;
    const visibleThen = new Set(before.uids);
    for (const later of observations.slice(earlier + 1)) {
      for (const uid of later.uids) {
        if (uid < before.uidNext)
          assert.ok(visibleThen.has(uid), `${client}: UID ${uid} appeared after UIDNEXT ${before.uidNext} had been seen`);
      }
    }
  }
}

for (const set of adapterSets) {
  describe(`MailIndex concurrency contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    before(async () => {
      opened = await set.open();
    });
    after(async () => {
      await opened.cleanup();
    });

    test(
      `${WORKERS} clients appending ${APPENDS_PER_WORKER} messages each to one mailbox get unique ascending UIDs`,
      { timeout: 120_000 },
      async () => {
        const mailbox = await opened.storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
        const watcher: Observation[] = [];
        let appending = true;
        // This thread watches too, as an IMAP session polling the mailbox would.
        const watching = (async () => {
          while (appending) {
            const current = await opened.storage.mailIndex.getMailboxById(mailbox.id);
            watcher.push({ uidNext: current!.uidNext, uids: await opened.storage.mailIndex.listUids(mailbox.id) });
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        })();
        const workerUrl = new URL('./support/append-worker.ts', import.meta.url);
        const outputs = await Promise.all(
          Array.from({ length: WORKERS }, (_, worker) =>
            runTsWorker<AppendWorkerOutput>(workerUrl, {
              recipe: opened.peerRecipe,
              mailboxId: mailbox.id,
              appends: APPENDS_PER_WORKER,
              worker,
            } satisfies AppendWorkerInput),
          ),
        ).finally(() => {
          appending = false;
        });
        await watching;

        const allUids = outputs.flatMap((output) => output.appendedUids);
        assert.equal(allUids.length, WORKERS * APPENDS_PER_WORKER);
        assert.equal(new Set(allUids).size, allUids.length, 'every append got its own UID');
        for (const [worker, output] of outputs.entries()) {
          assert.deepEqual(
            output.appendedUids,
            [...output.appendedUids].sort((a, b) => a - b),
            `client ${worker} saw its UIDs ascend`,
          );
          assertNoLateLowUids(output.observations, `client ${worker}`);
        }
        assertNoLateLowUids(watcher, 'watcher');
        const final = await opened.storage.mailIndex.listUids(mailbox.id);
        assert.deepEqual(
          final,
          [...allUids].sort((a, b) => a - b),
        );
        const after = await opened.storage.mailIndex.getMailboxById(mailbox.id);
        assert.equal(after?.messageCount, allUids.length);
        assert.ok(after!.uidNext > Math.max(...allUids));
      },
    );
  });
}
