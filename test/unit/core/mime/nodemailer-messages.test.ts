// Messages as a real mail library writes them (nodemailer's MailComposer): alternatives, related
// inline images, attachments with long Unicode names (RFC 2231 continuations and RFC 2047 words),
// and an attached message — parsed in random chunks; every attachment must decode from its slice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { simpleParser } from 'mailparser';
import type { MimePart } from '../../../../core/mail/message-structure.js';
import { decodeEncodedWords, parameterValue } from '../../../../core/mime/index.js';
import { allParts, parseInChunks } from './fixtures.js';

function compose(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    new MailComposer(options).compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}

test('attachments written by nodemailer decode byte-exact from their slices, names via RFC 2231', async () => {
  const inner = await compose({
    from: '"Inner Sender" <inner@example.net>',
    to: 'someone@example.org',
    subject: 'Ünïcödé inner subject',
    text: 'the forwarded text',
  });
  const files = [
    { filename: 'résumé — final version with a really long name, 2026 edition.pdf', content: randomBytes(20_000) },
    { filename: '日本語のファイル名.txt', content: Buffer.from('テキスト\r\n'.repeat(40)) },
    { filename: 'plain.bin', content: randomBytes(1) },
  ];
  const raw = await compose({
    from: 'Alice <alice@example.com>',
    to: ['Bob <bob@example.org>', '"Carol, C." <carol@example.net>'],
    cc: 'Team: dave@example.com, erin@example.com;',
    subject: 'Quarterly résumé',
    text: 'Plain body\n'.repeat(30),
    html: '<p>HTML body <img src="cid:logo@example.com"></p>',
    attachments: [
      { filename: 'logo.png', content: randomBytes(3000), cid: 'logo@example.com', contentTransferEncoding: 'base64' },
      ...files.map((file) => ({ ...file, contentTransferEncoding: 'base64' as const })),
      { filename: 'forwarded.eml', content: inner, contentType: 'message/rfc822' },
    ],
  });

  const { envelope, root } = parseInChunks(raw, 1 + (raw.length % 97));
  assert.deepEqual(
    envelope.to?.map((address) => [address.name, address.mailbox, address.host]),
    [
      ['Bob', 'bob', 'example.org'],
      ['Carol, C.', 'carol', 'example.net'],
    ],
  );
  assert.deepEqual(
    envelope.cc?.map((address) => address.mailbox),
    ['Team', 'dave', 'erin', null],
  );
  assert.equal(decodeEncodedWords(envelope.subject ?? ''), 'Quarterly résumé');

  const slice = (part: MimePart) => raw.subarray(part.bodyStart, part.bodyEnd);
  const parts = allParts(root);
  for (const file of files) {
    const part = parts.find((candidate) => parameterValue(candidate.disposition?.params ?? [], 'filename') === file.filename);
    assert.ok(part, `attachment ${file.filename} found by its decoded name`);
    assert.equal(part.encoding, 'base64');
    assert.deepEqual(Buffer.from(slice(part).toString('latin1'), 'base64'), file.content);
    assert.equal(parameterValue(part.params, 'name'), file.filename);
  }
  const logo = parts.find((part) => part.id === '<logo@example.com>');
  assert.ok(logo);
  assert.equal(`${logo.type}/${logo.subtype}`, 'image/png');

  const attached = parts.find((part) => part.type === 'message' && part.subtype === 'rfc822');
  assert.ok(attached?.message);
  assert.deepEqual(slice(attached), inner);
  assert.equal(decodeEncodedWords(attached.message.envelope.subject ?? ''), 'Ünïcödé inner subject');
  assert.equal(raw.subarray(attached.message.root.bodyStart, attached.message.root.bodyEnd).toString().trim(), 'the forwarded text');

  // mailparser sees the same set of attachments (the forwarded message included).
  const parsed = await simpleParser(raw);
  const ours = parts.filter((part) => part.disposition?.type === 'attachment' || part.id !== null).length;
  assert.equal(ours, parsed.attachments.length);
});
