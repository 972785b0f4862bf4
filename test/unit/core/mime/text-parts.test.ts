// Text decoders of SEARCH (core/mime/text-parts.ts): fed whole and one byte at a time they give the
// same text, so chunk boundaries of a blob stream never split an `=XX`, a base64 quantum or a character.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTextDecoder, type TextRange } from '../../../../core/mime/text-parts.js';

const range = (encoding: string, charset: string, kind: 'text' | 'header' = 'text'): TextRange => ({ column: 'body', start: 0, end: 0, kind, encoding, charset });

function decode(r: TextRange, bytes: Buffer, chunkBytes: number): string {
  const decoder = createTextDecoder(r);
  let out = '';
  for (let i = 0; i < bytes.length; i += chunkBytes) out += decoder.write(bytes.subarray(i, i + chunkBytes));
  return out + decoder.end();
}

const cases: [string, TextRange, Buffer, string][] = [
  ['quoted-printable with soft breaks', range('quoted-printable', 'utf-8'), Buffer.from('Caf=C3=A9 cr=\r\n=C3=A8me=\nok\r\n'), 'Café crème' + 'ok\r\n'],
  ['base64 with line breaks', range('base64', 'utf-8'), Buffer.from(Buffer.from('東京本社で会議').toString('base64').replace(/(.{8})/gu, '$1\r\n')), '東京本社で会議'],
  ['ISO-2022-JP', range('7bit', 'ISO-2022-JP'), Buffer.from('1b2442467c4b5c386c1b2842', 'hex'), '日本語'],
  ['8-bit UTF-8 labelled us-ascii', range('8bit', 'us-ascii'), Buffer.from('naïve'), 'naïve'],
  ['unknown charset falls back to UTF-8', range('8bit', 'x-unknown'), Buffer.from('plain'), 'plain'],
  ['header: unfolded, RFC 2047 decoded', range('7bit', 'utf-8', 'header'), Buffer.from('Subject: =?UTF-8?B?5Lya6K2w?=\r\n  continued\r\nX: y\r\n'), 'Subject: 会議  continued\nX: y\n'],
];

for (const [name, r, bytes, expected] of cases) {
  test(`text decoder: ${name}`, () => {
    assert.equal(decode(r, bytes, bytes.length), expected);
    assert.equal(decode(r, bytes, 1), expected);
    assert.equal(decode(r, bytes, 3), expected);
  });
}
