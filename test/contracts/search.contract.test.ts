// SEARCH contract (RFC 3501 §6.4.4), two ports on one opened backend: MailIndex.searchHeaders answers
// SUBJECT/FROM/TO/CC/BCC — case-insensitive substring on the RFC 2047-decoded value, "" = the field
// exists — and follows copies, moves, expunges and mailbox deletes; the TextIndex (sets that have one:
// the local set; AWS has none and SEARCH reads messages there) queues appends, turns stored text into
// candidates, and drops them with their messages.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Envelope } from '../../core/mail/message-structure.js';
import { type MailIndex, type TextIndex, isStorageError } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';
import { freshUserId, sampleMessage, sampleStructure } from './support/fixtures.js';

function messageWith(envelope: Partial<Envelope>) {
  const structure = sampleStructure('unused', 1_000);
  return sampleMessage({ structure: { ...structure, envelope: { ...structure.envelope, ...envelope } } });
}

const address = (name: string | null, mailbox: string, host: string) => ({ name, adl: null, mailbox, host });

for (const set of adapterSets) {
  describe(`search contract [${set.name}]`, () => {
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

    async function mailboxWithSamples() {
      const mailbox = await index.createMailbox(freshUserId(), 'INBOX');
      const append = async (envelope: Partial<Envelope>) => (await index.appendMessage(mailbox.id, messageWith(envelope))).uid;
      const uids = {
        invoice: await append({ subject: 'Invoice NUMBER 42', from: [address('Billing Dept', 'billing', 'shop.example')] }),
        japanese: await append({ subject: '会議の議事録について', from: [address('山田 太郎', 'yamada', 'example.jp')] }),
        // RFC 2047 encoded words: the subject is 日本語の件名, the display name Jürgen Müller.
        encoded: await append({
          subject: '=?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?=',
          from: [address('=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?=', 'juergen', 'example.de')],
          cc: [address(null, 'carol', 'example.test')],
        }),
        noSubject: await append({ subject: null, to: null, bcc: [address('Hidden', 'secret', 'example.test')] }),
      };
      return { mailbox, uids };
    }

    test('SUBJECT: case-insensitive substring, ASCII, Japanese and RFC 2047 encoded words', async () => {
      const { mailbox, uids } = await mailboxWithSamples();
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'subject', 'number 4'), [uids.invoice]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'subject', 'INVOICE'), [uids.invoice]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'subject', '議事録'), [uids.japanese]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'subject', '日本語の件'), [uids.encoded]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'subject', 'UTF-8'), [], 'the encoded form itself is not searched');
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'subject', 'zebra'), []);
    });

    test('FROM/TO/CC/BCC match display names (decoded) and addresses; "" means the field exists', async () => {
      const { mailbox, uids } = await mailboxWithSamples();
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'from', 'billing@SHOP'), [uids.invoice]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'from', '山田'), [uids.japanese]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'from', 'jürgen müller'), [uids.encoded]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'from', 'example'), [uids.invoice, uids.japanese, uids.encoded, uids.noSubject]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'cc', 'carol@'), [uids.encoded]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'bcc', 'hidden'), [uids.noSubject]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'to', 'bob@example.test'), [uids.invoice, uids.japanese, uids.encoded]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'subject', ''), [uids.invoice, uids.japanese, uids.encoded]);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'cc', ''), [uids.encoded]);
    });

    test('results follow copy, move, expunge and mailbox delete', async () => {
      const { mailbox, uids } = await mailboxWithSamples();
      const userId = mailbox.userId;
      const archive = await index.createMailbox(userId, 'Archive');
      const copied = await index.copyMessages(mailbox.id, [uids.japanese], archive.id);
      assert.deepEqual(await index.searchHeaders(archive.id, 'subject', '会議'), [copied.mapping[0]!.destinationUid]);
      const moved = await index.moveMessages(mailbox.id, [uids.invoice], archive.id);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'subject', 'invoice'), []);
      assert.deepEqual(await index.searchHeaders(archive.id, 'subject', 'invoice'), [moved.mapping[0]!.destinationUid]);
      await index.updateFlags(mailbox.id, { uids: [uids.japanese], operation: 'add', flags: ['\\Deleted'] });
      await index.expunge(mailbox.id);
      assert.deepEqual(await index.searchHeaders(mailbox.id, 'subject', '会議'), []);
      assert.deepEqual(await index.searchHeaders(archive.id, 'subject', '会議'), [copied.mapping[0]!.destinationUid]);
      await index.deleteMailbox(userId, 'Archive');
      const again = await index.createMailbox(userId, 'Archive');
      assert.deepEqual(await index.searchHeaders(again.id, 'subject', ''), []);
    });

    test('an unknown mailbox is not-found', async () => {
      await assert.rejects(index.searchHeaders('999999999', 'subject', 'x'), (error) => isStorageError(error) && error.code === 'not-found');
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
      assert.deepEqual(await text.findCandidates(mailbox.id, 'text', 'anything'), { matches: [], candidates: [], unindexed: [uid] });
      const pending = (await text.pendingMessages(1_000)).at(-1)!;
      await text.storeMessageText([{ messageRef: pending.messageRef, header: 'subject: 会議', body: 'the zebra crossing' }]);
      assert.deepEqual(await text.findCandidates(mailbox.id, 'text', 'ZEBRA'), { matches: [uid], candidates: [], unindexed: [] });
      assert.deepEqual(await text.findCandidates(mailbox.id, 'text', '会議'), null, 'two characters: too short for trigrams');
    });

    test('matches hold the needle as a substring of one column; nothing is left to verify in short texts', async (t) => {
      if (text === undefined) return t.skip('no text index in this set');
      const { mailbox, uids } = await indexed(['東京本社の会議', 'zebra crossing', 'crossing zebras', 'bra cross zeb\nzebra\ncross']);
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', '本社の会'), { matches: [uids[0]], candidates: [], unindexed: [] });
      // Every trigram of "zebra cross" is in messages 2, 3 and 4, but only message 2 holds them in a row.
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', 'Zebra Cross'), { matches: [uids[1]], candidates: [], unindexed: [] });
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', 'ebr'), { matches: [uids[1], uids[2], uids[3]], candidates: [], unindexed: [] });
      assert.deepEqual((await text.findCandidates(mailbox.id, 'text', 'hello'))?.matches, uids, 'TEXT covers the header');
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', 'hello'), { matches: [], candidates: [], unindexed: [] }, 'BODY does not');
      assert.deepEqual((await text.findCandidates(mailbox.id, 'text', 'hello zebra'))?.matches, [], 'a phrase never spans header and body');
    });

    test('what the start of a text cannot settle comes back as candidates to verify', async (t) => {
      if (text === undefined) return t.skip('no text index in this set');
      const filler = 'invoice '.repeat(400); // longer than the part of each text indexed with positions
      const long = 'a pasted paragraph, '.repeat(14);
      const { mailbox, uids } = await indexed(['zebra\ncrossing', `zebra early ${filler}`, `${filler} zebra late`, `${filler} arbez`, `${long}one`, 'short, no zebra']);
      // A line break may be where the indexer joined two parts: the rows only may hold it.
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', 'zebra\ncross'), { matches: [], candidates: [uids[0]], unindexed: [] });
      // Found in the start of a long text: a match; only in its rest: verify; a short text without it: no match.
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', 'zebra late'), { matches: [], candidates: [uids[2]], unindexed: [] });
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', 'zebra e'), { matches: [uids[1]], candidates: [], unindexed: [] });
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', 'zebra'), { matches: [uids[0], uids[1], uids[5]], candidates: [uids[2]], unindexed: [] });
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', `${long}one`), { matches: [], candidates: [uids[4]], unindexed: [] }, 'too long for a phrase');
      assert.equal(await text.findCandidates(mailbox.id, 'body', 'ze\0bra'), null, 'NUL cannot be looked up');
    });

    test('expunge and mailbox delete drop index rows; text stored for an expunged message is ignored', async (t) => {
      if (text === undefined) return t.skip('no text index in this set');
      const { mailbox, uids } = await indexed(['alpha text', 'alpha again']);
      await index.updateFlags(mailbox.id, { uids: [uids[0]!], operation: 'add', flags: ['\\Deleted'] });
      await index.expunge(mailbox.id);
      assert.deepEqual((await text.findCandidates(mailbox.id, 'body', 'alpha'))?.matches, [uids[1]]);
      const late = await index.appendMessage(mailbox.id, sampleMessage());
      const pending = (await text.pendingMessages(1_000)).at(-1)!;
      await index.updateFlags(mailbox.id, { uids: [late.uid], operation: 'add', flags: ['\\Deleted'] });
      await index.expunge(mailbox.id);
      await text.storeMessageText([{ messageRef: pending.messageRef, header: '', body: 'alpha late' }]);
      assert.deepEqual(await text.findCandidates(mailbox.id, 'body', 'alpha'), { matches: [uids[1]], candidates: [], unindexed: [] });
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
