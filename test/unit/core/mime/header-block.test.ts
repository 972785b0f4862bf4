import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeEncodedWords,
  firstHeaderValues,
  headerFieldsSubset,
  headerValue,
  parseHeaderBlock,
  readContentFields,
  unfoldHeaderValue,
} from '../../../../core/mime/index.js';
import { crlf } from './fixtures.js';

const block = crlf(
  'From alice@example.com Mon Nov 30 10:00:00 2026',
  'Received: from a.example',
  '\tby b.example; Mon, 30 Nov 2026 10:00:00 +0000',
  'Subject: =?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?44GC?=',
  'not a field line',
  'X-Spaced-Name : value',
  'subject: second subject',
  'To: bob@example.org',
  '',
  'body line: not a header',
);

test('a header block splits into fields with raw folded values, stopping at the blank line', () => {
  const fields = parseHeaderBlock(block);
  assert.deepEqual(
    fields.map(([name]) => name),
    ['Received', 'Subject', 'X-Spaced-Name', 'subject', 'To'],
  );
  assert.equal(fields[0]?.[1], ' from a.example\r\n\tby b.example; Mon, 30 Nov 2026 10:00:00 +0000');
  assert.equal(unfoldHeaderValue(fields[0]?.[1] ?? ''), 'from a.example\tby b.example; Mon, 30 Nov 2026 10:00:00 +0000');
  assert.equal(headerValue(fields, 'SUBJECT'), '=?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?44GC?=');
  assert.equal(headerValue(fields, 'x-spaced-name'), 'value');
  assert.equal(headerValue(fields, 'cc'), null);
});

test('firstHeaderValues keeps the first occurrence of each wanted field, by lower-case name', () => {
  const values = firstHeaderValues(block, new Set(['subject', 'received']));
  assert.deepEqual([...values.keys()], ['received', 'subject']);
  assert.equal(values.get('subject'), '=?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?44GC?=');
  assert.equal(firstHeaderValues(block).get('to'), 'bob@example.org');
});

test('8-bit header values are read as UTF-8 (RFC 6532)', () => {
  const fields = parseHeaderBlock(Buffer.from('Subject: 日本語\nFrom: 田中 <tanaka@例え.jp>\n\n'));
  assert.equal(headerValue(fields, 'subject'), '日本語');
  assert.equal(headerValue(fields, 'from'), '田中 <tanaka@例え.jp>');
});

test('encoded words decode to Unicode for SEARCH; broken ones stay readable', () => {
  assert.equal(decodeEncodedWords('=?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?44GC?='), 'Caféあ');
  assert.equal(decodeEncodedWords('=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?='), '日本語');
  assert.equal(decodeEncodedWords('plain text'), 'plain text');
  assert.equal(typeof decodeEncodedWords('=?bogus-charset?Q?=ZZ?= =?UTF-8?B?###?='), 'string');
});

test('HEADER.FIELDS returns the chosen lines byte-exact, in order, with the blank line', () => {
  const headerBytes = block.subarray(0, block.indexOf('\r\n\r\n') + 4);
  assert.equal(
    headerFieldsSubset(headerBytes, ['subject', 'TO'], false).toString(),
    'Subject: =?ISO-8859-1?Q?Caf=E9?= =?UTF-8?B?44GC?=\r\nsubject: second subject\r\nTo: bob@example.org\r\n\r\n',
  );
  assert.equal(
    headerFieldsSubset(headerBytes, ['Subject', 'To', 'X-Spaced-Name'], true).toString(),
    'Received: from a.example\r\n\tby b.example; Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\n',
  );
  assert.equal(headerFieldsSubset(headerBytes, ['x-absent'], false).toString(), '\r\n');
  // A message with no body and no blank line: nothing is invented (RFC 3501 §6.4.5).
  assert.equal(headerFieldsSubset(Buffer.from('To: a@b\nCc: c@d'), ['cc'], false).toString(), 'Cc: c@d');
});

test('Content-* fields: defaults, comments, quoting and broken values', () => {
  const read = (...lines: string[]) => readContentFields(firstHeaderValues(crlf(...lines, '', '')), 'text/plain');
  const plain = read();
  assert.deepEqual([plain.type, plain.subtype, plain.params, plain.encoding], ['text', 'plain', [['charset', 'us-ascii']], '7bit']);
  const commented = read(
    'Content-Type: Text/HTML (web page); Charset="UTF-8" (comment); format=flowed',
    'Content-Transfer-Encoding: Quoted-Printable',
  );
  assert.deepEqual(
    [commented.type, commented.subtype, commented.params, commented.encoding],
    [
      'text',
      'html',
      [
        ['charset', 'UTF-8'],
        ['format', 'flowed'],
      ],
      'quoted-printable',
    ],
  );
  const broken = read('Content-Type: garbage', 'Content-Transfer-Encoding: ???');
  assert.deepEqual([broken.type, broken.subtype, broken.encoding], ['text', 'plain', '7bit']);
  const quoted = read('Content-Type: application/octet-stream; name="a \\"quoted\\" name;.txt"; x=unquoted value');
  assert.deepEqual(quoted.params, [
    ['name', 'a "quoted" name;.txt'],
    ['x', 'unquoted value'],
  ]);
  const extras = read(
    'Content-ID: <part1@example.com>',
    'Content-Description: =?UTF-8?Q?r=C3=A9sum=C3=A9?=',
    'Content-Language: en, de (German)',
    'Content-Location: http://example.com/',
    '  images/a.png',
    'Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==',
    'Content-Disposition: INLINE',
  );
  assert.equal(extras.id, '<part1@example.com>');
  assert.equal(extras.description, '=?UTF-8?Q?r=C3=A9sum=C3=A9?=');
  assert.deepEqual(extras.language, ['en', 'de']);
  assert.equal(extras.location, 'http://example.com/images/a.png');
  assert.equal(extras.md5, 'Q2hlY2sgSW50ZWdyaXR5IQ==');
  assert.deepEqual(extras.disposition, { type: 'inline', params: [] });
  assert.equal(read('Content-Language:').language, null);
  const digestDefault = readContentFields(new Map(), 'message/rfc822');
  assert.deepEqual([digestDefault.type, digestDefault.subtype, digestDefault.params], ['message', 'rfc822', []]);
});
