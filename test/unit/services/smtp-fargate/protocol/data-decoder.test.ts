// The DATA decoder fed whole and one byte at a time: dot-unstuffing, the only true end, and the
// smuggling endings that must stay content.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataDecoder, type BareLineEndingMode } from '../../../../../services/smtp-fargate/protocol/data-decoder.js';

function decode(input: string, mode: BareLineEndingMode = 'normalize', byteAtATime = false) {
  const decoder = new DataDecoder(mode);
  const bytes = Buffer.from(input, 'latin1');
  const out: Buffer[] = [];
  const pieces = byteAtATime ? [...bytes].map((b) => Buffer.from([b])) : [bytes];
  let consumedTotal = 0;
  for (const piece of pieces) {
    const result = decoder.feed(piece);
    out.push(...result.chunks);
    consumedTotal += result.consumed;
    if (result.ended) return { content: Buffer.concat(out).toString('latin1'), rest: bytes.subarray(consumedTotal).toString('latin1'), ended: true, bare: decoder.bareLineEndings };
  }
  return { content: Buffer.concat(out).toString('latin1'), rest: '', ended: false, bare: decoder.bareLineEndings };
}

const CASES: [string, string, { content: string; rest: string; ended: boolean; bare: number }][] = [
  ['simple end', 'a\r\nb\r\n.\r\nNOOP\r\n', { content: 'a\r\nb\r\n', rest: 'NOOP\r\n', ended: true, bare: 0 }],
  ['empty message', '.\r\n', { content: '', rest: '', ended: true, bare: 0 }],
  ['dot-stuffing removed', '..a\r\n...\r\n..\r\n.\r\n', { content: '.a\r\n..\r\n.\r\n', rest: '', ended: true, bare: 0 }],
  ['a dot mid-line stays', 'a.b\r\n a\r\n.\r\n', { content: 'a.b\r\n a\r\n', rest: '', ended: true, bare: 0 }],
  ['<LF>.<LF> is content', 'x\n.\nMAIL\r\n.\r\n', { content: 'x\r\n.\r\nMAIL\r\n', rest: '', ended: true, bare: 2 }],
  ['<LF>.<CRLF> is content', 'x\n.\r\ny\r\n.\r\n', { content: 'x\r\n.\r\ny\r\n', rest: '', ended: true, bare: 1 }],
  ['<CRLF>.<LF> is content', 'x\r\n.\ny\r\n.\r\n', { content: 'x\r\n\r\ny\r\n', rest: '', ended: true, bare: 1 }],
  ['<CR>.<CR> is content', 'x\r.\ry\r\n.\r\n', { content: 'x\r\n.\r\ny\r\n', rest: '', ended: true, bare: 2 }],
  ['.<CR>x at line start', 'a\r\n.\rb\r\n.\r\n', { content: 'a\r\n\r\nb\r\n', rest: '', ended: true, bare: 1 }],
  ['no end yet', 'a\r\n.', { content: 'a\r\n', rest: '', ended: false, bare: 0 }],
];

for (const [name, input, expected] of CASES) {
  test(`data decoder: ${name} (whole and byte by byte)`, () => {
    assert.deepEqual(decode(input), expected);
    assert.deepEqual(decode(input, 'normalize', true), expected);
  });
}

test('reject mode keeps bare endings as sent and counts them', () => {
  assert.deepEqual(decode('x\ny\r\n.\r\n', 'reject'), { content: 'x\ny\r\n', rest: '', ended: true, bare: 1 });
});

test('binary octets pass through untouched', () => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 10 && b !== 13));
  const decoder = new DataDecoder('normalize');
  const result = decoder.feed(Buffer.concat([all, Buffer.from('\r\n.\r\n')]));
  assert.ok(Buffer.concat(result.chunks).equals(Buffer.concat([all, Buffer.from('\r\n')])));
});

/**
 * RFC 5321 §4.5.2 read literally, one octet at a time over the whole input: the model the decoder
 * (which skips from line end to line end) must match however its input is split.
 */
function modelDecode(input: string): { content: string; consumed: number; bare: number } | null {
  let content = '';
  let bare = 0;
  let lineStart = true;
  for (let i = 0; i < input.length; ) {
    if (lineStart && input.startsWith('.\r\n', i)) return { content, consumed: i + 3, bare };
    if (lineStart && input[i] === '.') i++;
    lineStart = false;
    if (input.startsWith('\r\n', i)) {
      content += '\r\n';
      lineStart = true;
      i += 2;
    } else if (input[i] === '\r' || input[i] === '\n') {
      content += '\r\n';
      bare++;
      i++;
    } else if (i < input.length) {
      content += input[i++];
    }
  }
  return null;
}

test('random content split at random points decodes like the octet-by-octet model', () => {
  // mulberry32: reproducible, and its low bits are as random as its high ones.
  let seed = 7;
  const random = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const alphabet = ['a', 'b', '.', '\r', '\n', '\r\n', '\r\n.', ' '];
  for (let round = 0; round < 2_000; round++) {
    const parts = Array.from({ length: 1 + random(40) }, () => alphabet[random(alphabet.length)]);
    const input = Buffer.from(`${parts.join('')}\r\n.\r\nNEXT`, 'latin1');
    const expected = modelDecode(input.toString('latin1'));
    assert.ok(expected !== null);
    const decoder = new DataDecoder('normalize');
    const out: Buffer[] = [];
    let offset = 0;
    let result = null;
    while (offset < input.length) {
      const piece = input.subarray(offset, offset + 1 + random(12));
      result = decoder.feed(piece);
      out.push(...result.chunks);
      offset += result.consumed;
      if (result.ended) break;
    }
    const label = JSON.stringify(input.toString('latin1'));
    assert.equal(result?.ended, true, label);
    assert.equal(Buffer.concat(out).toString('latin1'), expected.content, label);
    assert.equal(offset, expected.consumed, label);
    assert.equal(decoder.bareLineEndings, expected.bare, label);
  }
});

test('ordinary lines come back as one slice of the input, not one per line', () => {
  const body = Buffer.from('Subject: x\r\n\r\n' + 'a line of text\r\n'.repeat(100), 'latin1');
  const result = new DataDecoder('normalize').feed(body);
  assert.equal(result.chunks.length, 1);
  assert.ok(result.chunks[0]?.equals(body));
});
