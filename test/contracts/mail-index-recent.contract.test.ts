// MailIndex contract, \Recent (RFC 3501 §2.3.2): claimRecent hands each new message to exactly one
// caller, also when two independent clients of the same backend (as two processes or containers
// would) claim while messages keep arriving; firstRecentUid tells STATUS how many are unclaimed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MailIndex, RecentClaim, Storage } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets, openPeer } from './adapter-sets.js';
import { freshUserId, sampleMessage } from './support/fixtures.js';

function uidsOf(claim: RecentClaim): number[] {
  const uids: number[] = [];
  for (let uid = claim.firstUid; uid <= claim.lastUid; uid++) uids.push(uid);
  return uids;
}

for (const set of adapterSets) {
  describe(`MailIndex \\Recent contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    let index: MailIndex;
    let peer: Storage;
    before(async () => {
      opened = await set.open();
      index = opened.storage.mailIndex;
      peer = await openPeer(opened.peerRecipe);
    });
    after(async () => {
      await peer.close();
      await opened.cleanup();
    });

    test('a new mailbox has nothing to claim; appended messages are claimed once', async () => {
      const mailbox = await index.createMailbox(freshUserId(), 'INBOX');
      assert.equal(mailbox.firstRecentUid, 1);
      assert.deepEqual(uidsOf(await index.claimRecent(mailbox.id)), []);
      for (let i = 0; i < 3; i++) await index.appendMessage(mailbox.id, sampleMessage());
      assert.equal((await index.getMailboxById(mailbox.id))?.firstRecentUid, 1, 'appends do not claim');
      assert.deepEqual(uidsOf(await index.claimRecent(mailbox.id)), [1, 2, 3]);
      assert.deepEqual(uidsOf(await index.claimRecent(mailbox.id)), [], 'a second claim gets nothing');
      assert.equal((await index.getMailboxById(mailbox.id))?.firstRecentUid, 4);
      await index.appendMessage(mailbox.id, sampleMessage());
      assert.deepEqual(uidsOf(await peer.mailIndex.claimRecent(mailbox.id)), [4], 'another client claims the next arrival');
      assert.deepEqual(uidsOf(await index.claimRecent(mailbox.id)), []);
    });

    test('copies and moves into a mailbox are recent there', async () => {
      const userId = freshUserId();
      const source = await index.createMailbox(userId, 'INBOX');
      const target = await index.createMailbox(userId, 'Archive');
      const { uid } = await index.appendMessage(source.id, sampleMessage());
      await index.claimRecent(source.id);
      await index.claimRecent(target.id);
      const copied = await index.copyMessages(source.id, [uid], target.id);
      assert.deepEqual(uidsOf(await index.claimRecent(target.id)), [copied.mapping[0]!.destinationUid]);
    });

    test('claiming a missing mailbox is not-found', async () => {
      const mailbox = await index.createMailbox(freshUserId(), 'Gone');
      await index.deleteMailbox(mailbox.userId, 'Gone');
      await assert.rejects(index.claimRecent(mailbox.id), (error: unknown) => (error as { code?: string }).code === 'not-found');
    });

    test('two clients claiming while messages arrive never claim the same UID', { timeout: 60_000 }, async () => {
      const mailbox = await index.createMailbox(freshUserId(), 'INBOX');
      const claimed: number[][] = [[], []];
      let appending = true;
      const claimers = [index, peer.mailIndex].map(async (client, which) => {
        while (appending) {
          claimed[which]!.push(...uidsOf(await client.claimRecent(mailbox.id)));
          await new Promise((resolve) => setImmediate(resolve)); // let the appends run between claims
        }
      });
      const total = 30;
      try {
        for (let i = 0; i < total; i++) await index.appendMessage(mailbox.id, sampleMessage());
      } finally {
        appending = false;
      }
      await Promise.all(claimers);
      const rest = uidsOf(await index.claimRecent(mailbox.id));
      const all = [...claimed[0]!, ...claimed[1]!, ...rest].sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: total }, (_, i) => i + 1), 'every UID claimed exactly once');
    });
  });
}
