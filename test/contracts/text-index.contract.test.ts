// TextIndex contract, for every adapter set that has one (the local set; AWS has none and SEARCH
// reads messages there): appends queue messages, stored text makes candidates, expunges and mailbox
// deletes drop them, and a message expunged before its text is stored is never indexed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MailIndex, TextIndex } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';
import { freshUserId, sampleMessage } from './support/fixtures.js';

for (const set of adapterSets) {
  describe(`TextIndex contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    let index: MailIndex;
    let text: TextIndex | undefined;
    before(async () => {
      opened = await set.open();
      index = opened.storage.mailIndex;
      text = opened.storage.textIndex;
    });
    after(async () => {
      await opened.cleanup();
    });

    /** Appends messages and indexes every pending message with the given text per blob. */
    async function indexed(bodies: readonly string[]) {
      const mailbox = await index.createMailbox(freshUserId(), 'INBOX');
      const messages = bodies.map(() => sampleMessage());
      const uids: number[] = [];
      for (const message of messages) uids.push((await index.appendMessage(mailbox.id, message)).uid);
      const pending = await text!.pendingMessages(1_000);
      const bodyOf = new Map(messages.map((message, i) => [message.blobKey, bodies[i]!]));
      await text!.storeMessageText(
        pending.filter((p) => bodyOf.has(p.blobKey)).map((p) => ({ messageRef: p.messageRef, header: 'subject: hello', body: bodyOf.get(p.blobKey)! })),
      );
      return { mailbox, uids };
    }

    test('appended messages wait as unindexed until their text is stored', async (t) => {
      if (text === undefined) return t.skip('no text index in this set');
      const mailbox = await index.createMailbox(freshUserId(), 'INBOX');
      const { uid } = await index.appendMessage(mailbox.id, sampleMessage());
      assert.deepEqual(await text.findCandidates(mailbox.id, 'text', 'anything'), { candidates: [], exact: false, unindexed: [uid] });
      const pending = (await text.pendingMessages(1_000)).at(-1)!;
      await text.storeMessageText([{ messageRef: pending.messageRef, header: 'subject: 会議', body: 'the zebra crossing' }]);
      assert.deepEqual(await text.findCandidates(mailbox.id, 'text', 'ZEBRA'), { candidates: [uid], exact: false, unindexed: [] });
      assert.deepEqual(await text.findCandidates(mailbox.id, 'text', '会議'), null, 'two characters: too short for trigrams');
    });

    test('candidates hold every trigram of the needle, per column; one trigram is exact', async (t) => {
      if (text === undefined) return t.skip('no text index in this set');
      const { mailbox, uids } = await indexed(['東京本社の会議', 'zebra crossing', 'crossing zebras']);
      assert.deepEqual((await text.findCandidates(mailbox.id, 'body', '本社の会'))?.candidates, [uids[0]]);
      const zebra = await text.findCandidates(mailbox.id, 'body', 'zebra cross');
      assert.deepEqual(zebra?.candidates.includes(uids[1]!), true);
      assert.deepEqual(zebra?.candidates.includes(uids[0]!), false);
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', 'ebr'), { candidates: [uids[1], uids[2]], exact: true, unindexed: [] });
      assert.deepEqual((await text.findCandidates(mailbox.id, 'text', 'hello'))?.candidates, uids, 'TEXT covers the header');
      assert.deepEqual((await text.findCandidates(mailbox.id, 'body', 'hello'))?.candidates, [], 'BODY does not');
    });

    test('expunge and mailbox delete drop index rows; text stored for an expunged message is ignored', async (t) => {
      if (text === undefined) return t.skip('no text index in this set');
      const { mailbox, uids } = await indexed(['alpha text', 'alpha again']);
      await index.updateFlags(mailbox.id, { uids: [uids[0]!], operation: 'add', flags: ['\\Deleted'] });
      await index.expunge(mailbox.id);
      assert.deepEqual((await text.findCandidates(mailbox.id, 'body', 'alpha'))?.candidates, [uids[1]]);
      const late = await index.appendMessage(mailbox.id, sampleMessage());
      const pending = (await text.pendingMessages(1_000)).at(-1)!;
      await index.updateFlags(mailbox.id, { uids: [late.uid], operation: 'add', flags: ['\\Deleted'] });
      await index.expunge(mailbox.id);
      await text.storeMessageText([{ messageRef: pending.messageRef, header: '', body: 'alpha late' }]);
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', 'alpha'), { candidates: [uids[1]], exact: false, unindexed: [] });
      const copyTarget = await index.createMailbox(mailbox.userId, 'Kept');
      await index.copyMessages(mailbox.id, [uids[1]!], copyTarget.id);
      assert.deepEqual((await text.findCandidates(copyTarget.id, 'body', 'alpha'))?.unindexed, [1], 'a copy is indexed anew');
      const copy = (await text.pendingMessages(1_000)).at(-1)!;
      await index.deleteMailbox(mailbox.userId, 'Kept');
      assert.equal((await text.pendingMessages(1_000)).some((p) => p.messageRef === copy.messageRef), false);
    });

    test('a skipped message stays unindexed and is not offered again', async (t) => {
      if (text === undefined) return t.skip('no text index in this set');
      const mailbox = await index.createMailbox(freshUserId(), 'INBOX');
      const { uid } = await index.appendMessage(mailbox.id, sampleMessage());
      const pending = (await text.pendingMessages(1_000)).at(-1)!;
      await text.storeMessageText([{ messageRef: pending.messageRef, skipped: true }]);
      assert.equal((await text.pendingMessages(1_000)).some((p) => p.messageRef === pending.messageRef), false);
      assert.deepEqual((await text.findCandidates(mailbox.id, 'body', 'whatever'))?.unindexed, [uid]);
    });
  });
}
