// ChangeFeed contract: a published change reaches the mailbox's watchers in this process, a change
// written by another client of the same backend (another process or container) wakes them too,
// and unwatch/close stop delivery.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MailboxChange, Storage } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets, openPeer } from './adapter-sets.js';
import { freshUserId, sampleMessage } from './support/fixtures.js';

/** Resolves with the first change that satisfies `wanted`, or rejects after `withinMs`. */
function nextChange(
  storage: Storage,
  mailboxId: string,
  wanted: (change: MailboxChange) => boolean,
  withinMs: number,
): Promise<MailboxChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unwatch();
      reject(new Error(`no change of mailbox ${mailboxId} within ${withinMs} ms`));
    }, withinMs);
    const unwatch = storage.changes.watch(mailboxId, (change) => {
      if (!wanted(change)) return;
      clearTimeout(timer);
      unwatch();
      resolve(change);
    });
  });
}

for (const set of adapterSets) {
  describe(`ChangeFeed contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    before(async () => {
      opened = await set.open();
    });
    after(async () => {
      await opened.cleanup();
    });

    test('a published change reaches every watcher of that mailbox only', async () => {
      const userId = freshUserId();
      const inbox = await opened.storage.mailIndex.createMailbox(userId, 'INBOX');
      const other = await opened.storage.mailIndex.createMailbox(userId, 'Other');
      const heardA: MailboxChange[] = [];
      const heardB: MailboxChange[] = [];
      const heardOther: MailboxChange[] = [];
      const stopA = opened.storage.changes.watch(inbox.id, (change) => heardA.push(change));
      const stopB = opened.storage.changes.watch(inbox.id, (change) => heardB.push(change));
      const stopOther = opened.storage.changes.watch(other.id, (change) => heardOther.push(change));
      const before = (await opened.storage.mailIndex.getMailboxById(inbox.id))!.highestModseq;
      // Watch before writing: a poller may announce the change before publish does (either is fine).
      const arrived = nextChange(opened.storage, inbox.id, (c) => c.highestModseq > before, 10_000);
      const { modseq } = await opened.storage.mailIndex.appendMessage(inbox.id, sampleMessage());
      const change = { userId, mailboxId: inbox.id, highestModseq: modseq };
      await opened.storage.changes.publish(change);
      assert.deepEqual(await arrived, change);
      assert.deepEqual(heardA.at(-1), change);
      assert.deepEqual(heardB.at(-1), change);
      assert.deepEqual(heardOther, []);
      stopA();
      stopB();
      stopOther();
    });

    test('after unwatch a listener hears nothing more', async () => {
      const userId = freshUserId();
      const inbox = await opened.storage.mailIndex.createMailbox(userId, 'INBOX');
      const heard: MailboxChange[] = [];
      const unwatch = opened.storage.changes.watch(inbox.id, (change) => heard.push(change));
      unwatch();
      const stillWatching = nextChange(opened.storage, inbox.id, () => true, 5_000);
      const { modseq } = await opened.storage.mailIndex.appendMessage(inbox.id, sampleMessage());
      await opened.storage.changes.publish({ userId, mailboxId: inbox.id, highestModseq: modseq });
      await stillWatching;
      assert.deepEqual(heard, []);
    });

    test('a change written by another client of the same backend wakes this one', { timeout: 30_000 }, async () => {
      const userId = freshUserId();
      const inbox = await opened.storage.mailIndex.createMailbox(userId, 'INBOX');
      const peer = await openPeer(opened.peerRecipe);
      try {
        const before = (await opened.storage.mailIndex.getMailboxById(inbox.id))!.highestModseq;
        const woken = nextChange(opened.storage, inbox.id, (change) => change.highestModseq > before, 10_000);
        // The peer only writes the index and publishes on its own feed, as another process would.
        const { modseq } = await peer.mailIndex.appendMessage(inbox.id, sampleMessage());
        await peer.changes.publish({ userId, mailboxId: inbox.id, highestModseq: modseq });
        const change = await woken;
        assert.equal(change.mailboxId, inbox.id);
        assert.ok(change.highestModseq >= modseq);
      } finally {
        await peer.close();
      }
    });
  });
}
