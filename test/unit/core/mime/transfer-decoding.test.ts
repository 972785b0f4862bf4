// Streaming Content-Transfer-Encoding decoders (RFC 2045 §6.7, §6.8): the same output for any
// chunking (down to one byte at a time) as a whole-buffer decode, and RFC 2045's rules on soft line
// breaks, trailing white space and junk. Encoded input comes from nodemailer's own encoders.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import * as qp from 'nodemailer/lib/qp/index.js';
import { createTransferDecoder } from '../../../../core/mime/index.js';

function decodeInChunks(encoding: string, input: Buffer, chunkSizes: () => number): Buffer {
  const decoder = createTransferDecoder(encoding)!;
  const out: Buffer[] = [];
  for (let i = 0; i < input.length; ) {
    const size = Math.max(1, chunkSizes());
    out.push(decoder.write(input.subarray(i, i + size)));
    i += size;
  }
  out.push(decoder.end());
  return Buffer.concat(out);
}

const splits = [() => 1, () => 2, () => 3, () => 7, () => 1 + Math.floor(Math.random() * 100), () => 1 << 20];

/** Random bytes whose only CR and LF bytes form CRLF pairs: text-like content quoted-printable keeps as line breaks. */
function textLikeBytes(length: number): Buffer {
  const bytes = randomBytes(length);
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a || bytes[i] === 0x0d) bytes[i] = 0x20;
    if (i % 50 === 49 && i + 1 < bytes.length) [bytes[i], bytes[i + 1]] = [0x0d, 0x0a];
  }
  return bytes;
}

test('base64: wrapped lines, any chunking, missing padding and junk', () => {
  for (const length of [0, 1, 2, 3, 4, 57, 1000, 65_537]) {
    const original = randomBytes(length);
    const wrapped = Buffer.from(original.toString('base64').replace(/.{76}/gu, '$&\r\n'));
    for (const split of splits) assert.deepEqual(decodeInChunks('base64', wrapped, split), original, `length ${length}`);
  }
  assert.equal(decodeInChunks('BASE64', Buffer.from('aGVs bG8g*\r\nd29y bGQ'), () => 3).toString(), 'hello world', 'junk is skipped, padding optional');
});

test('quoted-printable: any chunking gives the original bytes back', () => {
  for (const length of [0, 1, 75, 76, 77, 5_000]) {
    const original = textLikeBytes(length);
    const encoded = Buffer.from(qp.wrap(qp.encode(original), 76));
    for (const split of splits) assert.deepEqual(decodeInChunks('quoted-printable', encoded, split), original, `length ${length}`);
  }
});

test('quoted-printable: soft breaks, trailing white space, lower-case hex and stray `=`', () => {
  const decode = (text: string) => decodeInChunks('quoted-printable', Buffer.from(text, 'latin1'), () => 1).toString('latin1');
  assert.equal(decode('soft=\r\nbreak=\nbare-lf'), 'softbreakbare-lf');
  assert.equal(decode('trailing  \t\r\nspace  '), 'trailing\r\nspace', 'RFC 2045 §6.7 rule 3');
  assert.equal(decode('kept  =20\r\n'), 'kept  \x20\r\n', 'encoded white space is content');
  assert.equal(decode('=e9t=C3=A9'), '\xe9t\xc3\xa9');
  assert.equal(decode('a=zz b= \r\nc=4'), 'a=zz bc=4', 'malformed escapes pass through; `= ` before a break is soft');
  assert.equal(decode('bare\rcr'), 'bare\rcr');
});

test('identity encodings pass bytes through; unknown ones have no decoder', () => {
  const bytes = randomBytes(300);
  for (const encoding of ['7bit', '8bit', 'binary']) assert.deepEqual(decodeInChunks(encoding, bytes, () => 13), bytes);
  assert.equal(createTransferDecoder('x-uuencode'), null);
});
