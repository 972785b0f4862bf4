// MailIndex contract, SEARCH half: searchHeaders answers SUBJECT/FROM/TO/CC/BCC (RFC 3501 §6.4.4) from
// the index — case-insensitive substring on the RFC 2047-decoded value, "" = the field exists — and
// follows copies, moves, expunges and mailbox deletes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Envelope } from '../../core/mail/message-structure.js';
import { type MailIndex, isStorageError } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';
import { freshUserId, sampleMessage, sampleStructure } from './support/fixtures.js';

function messageWith(envelope: Partial<Envelope>) {
  const structure = sampleStructure('unused', 1_000);
  return sampleMessage({ structure: { ...structure, envelope: { ...structure.envelope, ...envelope } } });
}

const address = (name: string | null, mailbox: string, host: string) => ({ name, adl: null, mailbox, host });

for (const set of adapterSets) {
  describe(`MailIndex search contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    let index: MailIndex;
    before(async () => {
      opened = await set.open();
      index = opened.storage.mailIndex;
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
  });
}
