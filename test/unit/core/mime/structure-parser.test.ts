import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import { createStructureParser, parameterValue } from '../../../../core/mime/index.js';
import { allParts, body, crlf, header, nestedMessage, parseInChunks, partAt, toBareLf } from './fixtures.js';

test('nested multiparts and an attached message: every header and body slice is exact', () => {
  const { envelope, root } = parseInChunks(nestedMessage, 4096);
  assert.equal(`${root.type}/${root.subtype}`, 'multipart/mixed');
  assert.ok(header(nestedMessage, root).startsWith('From: "Alice A."'));
  assert.ok(header(nestedMessage, root).endsWith('boundary="==outer=="\r\n\r\n'));
  assert.ok(body(nestedMessage, root).startsWith('This is the preamble.\r\n--==outer=='));
  assert.equal(root.bodyEnd, nestedMessage.length);
  assert.equal(root.children?.length, 3);

  const text = partAt(root, '1');
  assert.equal(header(nestedMessage, text), 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n');
  // RFC 2046 §5.1.1: the CRLF before the delimiter belongs to the delimiter, the blank line to the body.
  assert.equal(body(nestedMessage, text), 'Grüße,\r\nthe report is attached.\r\n');
  assert.equal(text.sizeBytes, Buffer.byteLength('Grüße,\r\nthe report is attached.\r\n'));
  assert.equal(text.lines, 2);
  assert.equal(text.encoding, '8bit');
  assert.deepEqual(text.params, [['charset', 'utf-8']]);

  const attached = partAt(root, '2');
  assert.equal(`${attached.type}/${attached.subtype}`, 'message/rfc822');
  assert.equal(attached.description, 'forwarded');
  assert.ok(body(nestedMessage, attached).startsWith('From: Carol'));
  assert.ok(body(nestedMessage, attached).endsWith('--inner--\r\n'));
  const inner = attached.message;
  assert.ok(inner);
  assert.equal(inner.envelope.subject, 'inner');
  assert.deepEqual(inner.envelope.from, [{ name: 'Carol', adl: null, mailbox: 'carol', host: 'example.net' }]);
  assert.equal(inner.root.headerStart, attached.bodyStart);
  assert.equal(inner.root.bodyEnd, attached.bodyEnd);
  assert.equal(`${inner.root.type}/${inner.root.subtype}`, 'multipart/alternative');
  assert.equal(header(nestedMessage, partAt(root, '2.1')), '\r\n');
  assert.equal(body(nestedMessage, partAt(root, '2.1')), 'plain inner');
  assert.equal(partAt(root, '2.1').lines, 0, "the line break before the delimiter is not the part's");
  assert.equal(body(nestedMessage, partAt(root, '2.2')), '<p>html inner</p>');
  assert.equal(partAt(root, '2.2').subtype, 'html');

  const file = partAt(root, '3');
  assert.equal(Buffer.from(body(nestedMessage, file), 'base64').toString(), 'binary \u0000 payload');
  assert.deepEqual(file.disposition, { type: 'attachment', params: [['filename', 'data.bin']] });
  assert.equal(envelope.subject, '=?UTF-8?B?5pel5pys6Kqe?= report');
  assert.equal(envelope.messageId, '<outer@example.com>');
});

test('the top-level header bytes are available for filters and authentication', () => {
  const parser = createStructureParser();
  parser.write(nestedMessage.subarray(0, 40));
  assert.equal(parser.topHeader, null);
  parser.write(nestedMessage.subarray(40));
  const { root } = parser.end();
  assert.deepEqual(parser.topHeader, nestedMessage.subarray(0, root.bodyStart));
  assert.equal(parser.bytesSeen, nestedMessage.length);
});

test('leaf slices decode to what mailparser extracts from the same message', async () => {
  const parsed = await simpleParser(nestedMessage);
  const { root } = parseInChunks(nestedMessage, 977);
  // mailparser hands text back with bare LF line breaks.
  assert.equal(body(nestedMessage, partAt(root, '1')).replace(/\r\n/g, '\n').trimEnd(), parsed.text?.trimEnd());
  const file = parsed.attachments.find((attachment) => attachment.filename === 'data.bin');
  assert.ok(file);
  assert.deepEqual(Buffer.from(body(nestedMessage, partAt(root, '3')), 'base64'), file.content);
  const forwarded = parsed.attachments.find((attachment) => attachment.contentType === 'message/rfc822');
  assert.ok(forwarded);
  assert.equal(body(nestedMessage, partAt(root, '2')), forwarded.content.toString('utf8'));
});

const trickyMessages: Record<string, Buffer> = {
  nested: nestedMessage,
  bareLf: toBareLf(nestedMessage),
  noHeader: crlf('', 'just a body'),
  headerOnlyNoNewline: Buffer.from('Subject: no body at all'),
  noFinalBoundary: crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'first', '--b', '', 'second, cut off'),
  wrongBoundary: crlf('Content-Type: multipart/mixed; boundary=expected', '', '--other', '', 'text', '--other--'),
  digest: crlf(
    'Content-Type: multipart/digest; boundary=d',
    '',
    '--d',
    '',
    'Subject: one',
    '',
    'first',
    '--d',
    '',
    'Subject: two',
    '',
    'second',
    '--d--',
  ),
  emptyParts: crlf('Content-Type: multipart/mixed; boundary=e', '', '--e', '--e', 'X: y', '--e--', ''),
};

test('one byte at a time, or any chunk size, gives the identical structure (Dovecot habit)', () => {
  for (const [name, raw] of Object.entries(trickyMessages)) {
    const whole = parseInChunks(raw, raw.length || 1);
    for (const size of [1, 2, 3, 7, 64]) assert.deepEqual(parseInChunks(raw, size), whole, `${name} in ${size}-byte chunks`);
  }
});

test('bare-LF mail has the same tree, with offsets into its own bytes', () => {
  const raw = toBareLf(nestedMessage);
  const lf = parseInChunks(raw, 100);
  const crlfTree = parseInChunks(nestedMessage, 100);
  const lfParts = allParts(lf.root);
  const crlfParts = allParts(crlfTree.root);
  assert.equal(lfParts.length, crlfParts.length);
  lfParts.forEach((part, index) => {
    const twin = crlfParts[index];
    assert.ok(twin);
    assert.equal(`${part.type}/${part.subtype}`, `${twin.type}/${twin.subtype}`);
    assert.equal(part.lines, twin.lines);
    assert.equal(body(raw, part), body(nestedMessage, twin).replace(/\r\n/g, '\n'));
    assert.equal(header(raw, part), header(nestedMessage, twin).replace(/\r\n/g, '\n'));
  });
  assert.deepEqual(lf.envelope, crlfTree.envelope);
});

test('missing headers, a header with no body and no trailing newline', () => {
  const noHeader = trickyMessages.noHeader ?? Buffer.alloc(0);
  const { root, envelope } = parseInChunks(noHeader, 5);
  assert.equal(header(noHeader, root), '\r\n');
  assert.equal(body(noHeader, root), 'just a body');
  assert.deepEqual([root.type, root.subtype, root.params], ['text', 'plain', [['charset', 'us-ascii']]]);
  assert.equal(root.lines, 0);
  assert.equal(envelope.from, null);
  assert.equal(envelope.subject, null);

  const headerOnly = trickyMessages.headerOnlyNoNewline ?? Buffer.alloc(0);
  const parsed = parseInChunks(headerOnly, 3);
  assert.equal(parsed.envelope.subject, 'no body at all');
  assert.equal(parsed.root.bodyStart, headerOnly.length);
  assert.equal(parsed.root.sizeBytes, 0);
  assert.equal(parsed.root.lines, 0);

  const empty = parseInChunks(Buffer.alloc(0), 1);
  assert.equal(empty.root.bodyEnd, 0);
  assert.equal(empty.root.type, 'text');
});

test('a multipart cut off before its close delimiter ends its last part at the end of the message', () => {
  const raw = trickyMessages.noFinalBoundary ?? Buffer.alloc(0);
  const { root } = parseInChunks(raw, 10);
  assert.equal(root.children?.length, 2);
  assert.equal(body(raw, partAt(root, '1')), 'first');
  assert.equal(body(raw, partAt(root, '2')), 'second, cut off');
  assert.equal(partAt(root, '2').bodyEnd, raw.length);
});

test('a multipart whose boundary never appears (or has none) is one opaque text part, not an error', () => {
  const raw = trickyMessages.wrongBoundary ?? Buffer.alloc(0);
  const { root } = parseInChunks(raw, 10);
  assert.equal(root.subtype, 'mixed');
  assert.equal(root.children?.length, 1);
  const only = partAt(root, '1');
  assert.equal(only.headerStart, root.bodyStart);
  assert.equal(body(raw, only), body(raw, root));
  assert.equal(only.lines, root.lines);

  const noBoundary = crlf('Content-Type: multipart/related', '', 'text');
  const parsed = parseInChunks(noBoundary, 3);
  assert.equal(parsed.root.children?.length, 1);
  assert.equal(body(noBoundary, partAt(parsed.root, '1')), 'text');
});

test('empty parts and a part whose header runs into the next delimiter', () => {
  const raw = trickyMessages.emptyParts ?? Buffer.alloc(0);
  const { root } = parseInChunks(raw, 1);
  assert.equal(root.children?.length, 2);
  for (const part of root.children ?? []) {
    assert.equal(part.sizeBytes, 0);
    assert.equal(part.lines, 0);
  }
  assert.equal(header(raw, partAt(root, '2')), 'X: y');
});

test('multipart/digest parts default to message/rfc822, each with its own envelope', () => {
  const raw = trickyMessages.digest ?? Buffer.alloc(0);
  const { root } = parseInChunks(raw, 8);
  assert.equal(root.children?.length, 2);
  const second = partAt(root, '2');
  assert.equal(`${second.type}/${second.subtype}`, 'message/rfc822');
  assert.equal(second.message?.envelope.subject, 'two');
  assert.equal(second.message ? body(raw, second.message.root) : null, 'second');
});

test('RFC 2231 continuations and charsets are joined; the boundary may be continued too', () => {
  const raw = crlf(
    'Content-Type: multipart/mixed; boundary*0="sp"; boundary*1="lit"',
    '',
    '--split',
    'Content-Type: application/pdf;',
    ' name*0*=utf-8\'\'%E2%82%AC%20rates; name*1=" 2026"; name*2*=.pdf',
    "Content-Disposition: attachment; filename*=iso-8859-1'de'Gr%FC%DFe.pdf; size=12",
    '',
    'JVBERi0xLjQK',
    '--split--',
  );
  const { root } = parseInChunks(raw, 1);
  assert.deepEqual(root.params, [['boundary', 'split']]);
  const pdf = partAt(root, '1');
  assert.deepEqual(pdf.params, [['name*', "utf-8''%E2%82%AC%20rates%202026.pdf"]]);
  assert.equal(parameterValue(pdf.params, 'name'), '€ rates 2026.pdf');
  assert.equal(parameterValue(pdf.disposition?.params ?? [], 'filename'), 'Grüße.pdf');
  assert.equal(parameterValue(pdf.disposition?.params ?? [], 'size'), '12');
  assert.equal(body(raw, pdf), 'JVBERi0xLjQK');

  // An extended boundary is decoded; `=?…?=` is legal boundary text and is not taken for RFC 2047.
  const cases: [contentType: string, delimiter: string][] = [
    ["multipart/mixed; boundary*=us-ascii''ext%2Dended", '--ext-ended'],
    ['multipart/mixed; boundary="=?utf-8?q?b?="', '--=?utf-8?q?b?='],
  ];
  for (const [contentType, delimiter] of cases) {
    const message = crlf(`Content-Type: ${contentType}`, '', delimiter, '', 'inside', `${delimiter}--`);
    assert.equal(body(message, partAt(parseInChunks(message, 3).root, '1')), 'inside', contentType);
  }
});

test('message/global is encapsulated; an encoded message/rfc822 stays opaque', () => {
  const raw = crlf(
    'Content-Type: multipart/mixed; boundary=g',
    '',
    '--g',
    'Content-Type: message/global',
    '',
    'Subject: =?UTF-8?Q?caf=C3=A9?=',
    '',
    'inside',
    '--g',
    'Content-Type: message/rfc822',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('Subject: hidden\r\n\r\nx').toString('base64'),
    '--g--',
  );
  const { root } = parseInChunks(raw, 2);
  assert.equal(partAt(root, '1').message?.envelope.subject, '=?UTF-8?Q?caf=C3=A9?=');
  const encoded = partAt(root, '2');
  assert.equal(encoded.message?.envelope.subject, null);
  assert.equal(encoded.message?.root.headerStart, encoded.bodyStart);
  assert.equal(encoded.message ? body(raw, encoded.message.root) : '', body(raw, encoded));
});

test('body sizes and line counts follow RFC 3501 §7.4.2, counted as Dovecot does', () => {
  const raw = crlf('Content-Type: text/plain', '', 'one', 'two', '', 'four', '');
  const { root } = parseInChunks(raw, 3);
  assert.equal(root.sizeBytes, Buffer.byteLength('one\r\ntwo\r\n\r\nfour\r\n'));
  assert.equal(root.lines, 4);
  const unterminated = crlf('', 'one', 'two');
  assert.equal(parseInChunks(unterminated, 1).root.lines, 1);
});
