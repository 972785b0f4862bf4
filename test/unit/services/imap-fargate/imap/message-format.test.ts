// ENVELOPE and BODYSTRUCTURE written from the structure core/mime caches at delivery, for tricky
// MIME: nested multiparts, message/rfc822, encoded words, missing headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessageStructure } from '../../../../../core/mime/index.js';
import { formatBodyStructure, formatEnvelope } from '../../../../../services/imap-fargate/imap/protocol/message-format.js';
import { sectionSource } from '../../../../../services/imap-fargate/imap/session/body-sections.js';

const opts = { utf8: false };

async function structureOf(raw: string) {
  return parseMessageStructure((async function* () {
    yield Buffer.from(raw);
  })());
}

const NESTED = [
  'From: "Doe, John" <john@example.com>',
  'To: undisclosed-recipients:;',
  'Subject: =?ISO-8859-1?Q?Caf=E9?=',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary=A',
  '',
  '--A',
  'Content-Type: multipart/alternative; boundary=B',
  '',
  '--B',
  'Content-Type: text/plain',
  '',
  'plain',
  '--B',
  'Content-Type: text/html; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '<p>html</p>',
  '--B--',
  '--A',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  'Content-Type: text/plain',
  '',
  'inner text',
  '--A',
  'Content-Type: application/pdf; name="r.pdf"',
  'Content-Disposition: attachment; filename="r.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  'JVBERi0=',
  '--A--',
  '',
].join('\r\n');

// Line counts are core/mime's (it counts LFs inside the body, as Dovecot does); the shape is ours.
test('BODYSTRUCTURE of nested multiparts with a message/rfc822 and an attachment', async () => {
  const structure = await structureOf(NESTED);
  const body = formatBodyStructure(structure.root, true, opts);
  assert.match(body, /^\(\(\("TEXT" "PLAIN" \("CHARSET" "us-ascii"\) NIL NIL "7BIT" 5 \d+ NIL NIL NIL NIL\)\("TEXT" "HTML" \("CHARSET" "utf-8"\) NIL NIL "QUOTED-PRINTABLE" 11 \d+ NIL NIL NIL NIL\) "ALTERNATIVE" \("BOUNDARY" "B"\) NIL NIL NIL\)/u);
  assert.match(body, /\("MESSAGE" "RFC822" NIL NIL NIL "7BIT" \d+ \(NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL\) \("TEXT" "PLAIN" \("CHARSET" "us-ascii"\) NIL NIL "7BIT" 10 \d+ NIL NIL NIL NIL\) \d+ NIL NIL NIL NIL\)/u);
  assert.match(body, /\("APPLICATION" "PDF" \("NAME" "r.pdf"\) NIL NIL "BASE64" 8 NIL \("ATTACHMENT" \("FILENAME" "r.pdf"\)\) NIL NIL\) "MIXED" \("BOUNDARY" "A"\) NIL NIL NIL\)$/u);
  const nonExtensible = formatBodyStructure(structure.root, false, opts);
  assert.ok(!nonExtensible.includes('BOUNDARY'), 'BODY has no extension data');
  // Section offsets point at the right bytes.
  const at = (part: number[], text: 'all' | 'header' | 'text' | 'mime') => {
    const source = sectionSource(structure, { part, text, fields: [] }, Buffer.byteLength(NESTED));
    return source.kind === 'range' ? NESTED.slice(source.start, source.end) : source.kind;
  };
  assert.equal(at([1, 1], 'all'), 'plain');
  assert.equal(at([1, 2], 'all'), '<p>html</p>');
  assert.equal(at([1, 2], 'mime'), 'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n');
  assert.equal(at([2], 'header'), 'Subject: inner\r\nContent-Type: text/plain\r\n\r\n');
  assert.equal(at([2], 'text'), 'inner text');
  assert.equal(at([2, 1], 'all'), 'inner text');
  assert.equal(at([3], 'all'), 'JVBERi0=');
  assert.equal(at([4], 'all'), 'empty');
  assert.equal(at([1, 1, 1], 'all'), 'empty');
});

test('ENVELOPE keeps encoded words raw, splits groups and defaults sender/reply-to to from', async () => {
  const structure = await structureOf(NESTED);
  const envelope = formatEnvelope(structure.envelope, opts);
  assert.equal(
    envelope,
    '(NIL "=?ISO-8859-1?Q?Caf=E9?=" (("Doe, John" NIL "john" "example.com")) (("Doe, John" NIL "john" "example.com")) (("Doe, John" NIL "john" "example.com")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL)',
  );
});

test('a message without headers or MIME still gets a valid ENVELOPE and BODYSTRUCTURE', async () => {
  const structure = await structureOf('\r\njust a body\r\n');
  assert.equal(formatEnvelope(structure.envelope, opts), '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)');
  assert.equal(formatBodyStructure(structure.root, true, opts), '("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 13 1 NIL NIL NIL NIL)');
  const single = sectionSource(structure, { part: [1], text: 'all', fields: [] }, 15);
  assert.deepEqual(single.kind === 'range' && [single.start, single.end], [2, 15]);
});
