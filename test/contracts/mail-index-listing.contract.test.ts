// MailIndex contract, listing: UID ranges, sequence ranges (1-based positions in UID order,
// RFC 3501 §2.3.1.2) that shift after expunges, pagination with afterUid/nextAfterUid, and
// envelope-only reads (header sync without the MIME tree).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MailIndex, MessageSummary } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';
import { freshUserId, sampleMessage, sampleStructure } from './support/fixtures.js';

const MESSAGES = 30;

for (const set of adapterSets) {
  describe(`MailIndex listing contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    let index: MailIndex;
    let mailboxId: string;
    /** UIDs present after the fixture's expunge: 1..30 without 3, 4, 10, 29. */
    let present: number[];

    before(async () => {
      opened = await set.open();
      index = opened.storage.mailIndex;
      const mailbox = await index.createMailbox(freshUserId(), 'INBOX');
      mailboxId = mailbox.id;
      for (let i = 0; i < MESSAGES; i++) await index.appendMessage(mailboxId, sampleMessage({ sizeBytes: 100 + i }));
      const gone = [3, 4, 10, 29];
      await index.updateFlags(mailboxId, { uids: gone, operation: 'add', flags: ['\\Deleted'] });
      await index.expunge(mailboxId);
      present = Array.from({ length: MESSAGES }, (_, i) => i + 1).filter((uid) => !gone.includes(uid));
    });
    after(async () => {
      await opened.cleanup();
    });

    const uidsOf = (messages: readonly MessageSummary[]) => messages.map((message) => message.uid);

    test('listUids and an unbounded listing return every UID in order', async () => {
      assert.deepEqual(await index.listUids(mailboxId), present);
      const page = await index.listMessages(mailboxId);
      assert.deepEqual(uidsOf(page.messages), present);
      assert.equal(page.nextAfterUid, null);
      assert.equal(page.messages[0]?.sizeBytes, 100);
    });

    test('a UID range returns the UIDs inside it that exist', async () => {
      const page = await index.listMessages(mailboxId, { range: { by: 'uid', from: 2, to: 11 } });
      assert.deepEqual(uidsOf(page.messages), [2, 5, 6, 7, 8, 9, 11]);
      const reversed = await index.listMessages(mailboxId, { range: { by: 'uid', from: 11, to: 2 } });
      assert.deepEqual(uidsOf(reversed.messages), [2, 5, 6, 7, 8, 9, 11]);
      const beyond = await index.listMessages(mailboxId, { range: { by: 'uid', from: 31, to: 1_000 } });
      assert.deepEqual(beyond.messages, []);
    });

    test('a sequence range counts positions among present messages', async () => {
      const page = await index.listMessages(mailboxId, { range: { by: 'sequence', from: 2, to: 5 } });
      assert.deepEqual(uidsOf(page.messages), present.slice(1, 5));
      const tail = await index.listMessages(mailboxId, { range: { by: 'sequence', from: 20, to: 1_000_000 } });
      assert.deepEqual(uidsOf(tail.messages), present.slice(19));
      const last = await index.listMessages(mailboxId, { range: { by: 'sequence', from: present.length, to: present.length } });
      assert.deepEqual(uidsOf(last.messages), [present[present.length - 1]]);
      const outside = await index.listMessages(mailboxId, { range: { by: 'sequence', from: present.length + 1, to: present.length + 5 } });
      assert.deepEqual(outside.messages, []);
    });

    test('pages of a given size chain through nextAfterUid, for UID and sequence ranges alike', async () => {
      for (const range of [undefined, { by: 'uid' as const, from: 1, to: 1_000 }, { by: 'sequence' as const, from: 3, to: 24 }]) {
        const collected: number[] = [];
        let afterUid: number | undefined;
        let pages = 0;
        for (;;) {
          const page = await index.listMessages(mailboxId, { range, limit: 7, afterUid });
          assert.ok(page.messages.length <= 7);
          collected.push(...uidsOf(page.messages));
          pages++;
          if (page.nextAfterUid === null) break;
          afterUid = page.nextAfterUid;
        }
        const expected = range?.by === 'sequence' ? present.slice(2, 24) : present;
        assert.deepEqual(collected, expected, JSON.stringify(range));
        assert.equal(pages, Math.ceil(expected.length / 7));
      }
    });

    test('getEnvelopes returns summaries with their envelope in UID order, skipping unknown UIDs, also after a copy', async () => {
      const userId = freshUserId();
      const inbox = await index.createMailbox(userId, 'INBOX');
      const archive = await index.createMailbox(userId, 'Archive');
      const sent = ['first', 'second', 'third'].map((subject, i) => sampleMessage({ structure: sampleStructure(subject, 500 + i), sizeBytes: 500 + i, flags: i === 1 ? ['\\Seen'] : [] }));
      for (const message of sent) await index.appendMessage(inbox.id, message);
      const enveloped = await index.getEnvelopes(inbox.id, [3, 99, 1, 2]);
      assert.deepEqual(enveloped.map((m) => [m.uid, m.envelope.subject, m.sizeBytes, m.blobKey]), [
        [1, 'first', 500, sent[0]!.blobKey],
        [2, 'second', 501, sent[1]!.blobKey],
        [3, 'third', 502, sent[2]!.blobKey],
      ]);
      assert.deepEqual(enveloped[1]!.flags, ['\\Seen']);
      assert.deepEqual(enveloped[0]!.envelope, sent[0]!.structure.envelope);
      assert.equal('structure' in enveloped[0]!, false, 'no MIME tree is loaded');
      const stored = await index.getMessages(inbox.id, [1, 2, 3]);
      assert.deepEqual(enveloped.map((m) => m.modseq), stored.map((m) => m.modseq));
      await index.copyMessages(inbox.id, [2], archive.id);
      const [copied] = await index.getEnvelopes(archive.id, [1]);
      assert.deepEqual(copied?.envelope, sent[1]!.structure.envelope);
      assert.deepEqual(await index.getEnvelopes(archive.id, [2, 3]), []);
    });
  });
}
