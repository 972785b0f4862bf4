// MailIndex contract, cached IMAP envelopes (getImapEnvelopes): the ENVELOPE each message had
// serialised at append, byte-equal to serializing its envelope now — for 8-bit text (a second form
// for UTF8=ACCEPT sessions), quotes, groups, missing headers, literals and oversized recipient lists —
// kept through copy and move, gone with expunge, in UID order over ranges and scattered sets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { formatEnvelope, serializeEnvelope } from '../../core/mail/imap-envelope.js';
import type { Envelope, EnvelopeAddress } from '../../core/mail/message-structure.js';
import type { MailIndex } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';
import { freshUserId, sampleMessage, sampleStructure } from './support/fixtures.js';

const address = (name: string | null, mailbox: string | null, host: string | null): EnvelopeAddress => ({ name, adl: null, mailbox, host });
const base = sampleStructure('base', 1_000).envelope;

/** Envelopes that take every branch of the serialiser. */
const TRICKY: readonly (readonly [label: string, envelope: Envelope])[] = [
  ['encoded words', { ...base, subject: '=?UTF-8?B?5Lya6K2w44Gu6K2w5LqL6Yyy?=', from: [address('=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=', 'yamada', 'example.jp')] }],
  ['raw 8-bit (SMTPUTF8)', { ...base, subject: '日本語の件名', from: [address('山田 太郎', '山田', 'example.jp')] }],
  ['quotes and backslashes', { ...base, subject: 'say "hi" \\ there', from: [address('Doe, "JD" John', 'john', 'example.com')] }],
  ['groups', { ...base, to: [address(null, 'undisclosed-recipients', null), address(null, null, null)], cc: [address(null, 'team', null), address('B', 'b', 'x.test'), address(null, null, null)] }],
  ['missing headers', { date: null, subject: null, from: null, sender: null, replyTo: null, to: null, cc: null, bcc: null, inReplyTo: null, messageId: null }],
  ['sender and reply-to', { ...base, sender: [address(null, 'list', 'lists.test')], replyTo: [address('Replies', 'reply', 'lists.test')], inReplyTo: '<parent@x.test>' }],
  ['long subject (a literal in both forms)', { ...base, subject: 'long '.repeat(300) }],
  ['hundreds of recipients', { ...base, to: Array.from({ length: 300 }, (_, i) => address(`Recipient ${i}`, `r${i}`, 'example.test')) }],
];

for (const set of adapterSets) {
  describe(`MailIndex cached IMAP envelopes contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    let index: MailIndex;
    let inboxId: string;

    before(async () => {
      opened = await set.open();
      index = opened.storage.mailIndex;
      inboxId = (await index.createMailbox(freshUserId(), 'INBOX')).id;
      for (const [, envelope] of TRICKY) {
        await index.appendMessage(inboxId, sampleMessage({ structure: { ...sampleStructure('x', 1_000), envelope } }));
      }
    });
    after(async () => {
      await opened.cleanup();
    });

    test('each message gets the bytes the serialiser writes for its envelope, per session kind', async () => {
      const uids = TRICKY.map((_, i) => i + 1);
      const messages = await index.getImapEnvelopes(inboxId, uids);
      assert.deepEqual(
        messages.map((m) => m.uid),
        uids,
      );
      for (const [i, [label, envelope]] of TRICKY.entries()) {
        const cached = messages[i]!.imapEnvelope;
        assert.deepEqual(cached, serializeEnvelope(envelope), label);
        assert.equal(cached.text, formatEnvelope(envelope, { utf8: false }), label);
        assert.equal(cached.utf8Text ?? cached.text, formatEnvelope(envelope, { utf8: true }), label);
      }
      // Pinned bytes, so that a change of the serialiser cannot go unnoticed.
      const [japanese, eightBit] = [messages[0]!.imapEnvelope, messages[1]!.imapEnvelope];
      assert.match(japanese.text, /^\("Mon, 30 Nov 2026 10:00:00 \+0000" "=\?UTF-8\?B\?5Lya6K2w44Gu6K2w5LqL6Yyy\?=" \(\("=\?ISO-2022-JP\?B\?GyRCOzNFRBsoQg==\?=" NIL "yamada" "example\.jp"\)\)/u);
      assert.equal(japanese.utf8Text, null, 'ASCII-only envelopes are stored once');
      assert.ok(eightBit.text.startsWith('("Mon, 30 Nov 2026 10:00:00 +0000" {18}\r\n日本語の件名 (({13}\r\n山田 太郎 NIL {6}\r\n山田 "example.jp"))'), eightBit.text);
      assert.ok(eightBit.utf8Text?.startsWith('("Mon, 30 Nov 2026 10:00:00 +0000" "日本語の件名" (("山田 太郎" NIL "山田" "example.jp"))'), eightBit.utf8Text ?? 'null');
    });

    test('summaries match getEnvelopes; scattered and unknown UIDs come back in UID order', async () => {
      const cached = await index.getImapEnvelopes(inboxId, [8, 99, 2, 5]);
      const parsed = await index.getEnvelopes(inboxId, [2, 5, 8]);
      assert.deepEqual(
        cached.map(({ imapEnvelope: _, ...summary }) => summary),
        parsed.map(({ envelope: _, ...summary }) => summary),
      );
      assert.deepEqual(await index.getImapEnvelopes(inboxId, []), []);
    });

    test('copies and moves keep the cached envelope; an expunged message takes it along', async () => {
      const userId = freshUserId();
      const source = await index.createMailbox(userId, 'INBOX');
      const archive = await index.createMailbox(userId, 'Archive');
      const [first, second] = [TRICKY[1]![1], TRICKY[3]![1]];
      for (const envelope of [first, second]) await index.appendMessage(source.id, sampleMessage({ structure: { ...sampleStructure('x', 500), envelope } }));
      await index.copyMessages(source.id, [1], archive.id);
      await index.moveMessages(source.id, [2], archive.id);
      const copied = await index.getImapEnvelopes(archive.id, [1, 2]);
      assert.deepEqual(
        copied.map((m) => m.imapEnvelope),
        [serializeEnvelope(first), serializeEnvelope(second)],
      );
      assert.deepEqual(
        (await index.getImapEnvelopes(source.id, [1, 2])).map((m) => m.uid),
        [1],
      );
      await index.updateFlags(archive.id, { uids: [1], operation: 'add', flags: ['\\Deleted'] });
      await index.expunge(archive.id);
      await index.appendMessage(archive.id, sampleMessage({ structure: sampleStructure('after the expunge', 500) }));
      const remaining = await index.getImapEnvelopes(archive.id, [1, 2, 3]);
      assert.deepEqual(
        remaining.map((m) => m.uid),
        [2, 3],
      );
      assert.match(remaining[1]!.imapEnvelope.text, /"after the expunge"/u);
    });
  });
}
