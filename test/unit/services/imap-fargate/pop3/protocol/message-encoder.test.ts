import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMessage, MessageEncoder } from '../../../../../../services/imap-fargate/pop3/protocol/message-encoder.js';

async function encode(message: Buffer, bodyLineLimit: number | null, chunkBytes: number): Promise<{ wire: string; messageBytes: number }> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < message.length; i += chunkBytes) chunks.push(message.subarray(i, i + chunkBytes));
  const encoder = new MessageEncoder({ bodyLineLimit });
  const out: Buffer[] = [];
  for await (const piece of encodeMessage(chunks, encoder)) out.push(piece);
  return { wire: Buffer.concat(out).toString('latin1'), messageBytes: encoder.messageBytes };
}

const CHUNK_SIZES = [1, 2, 3, 7, 64, 1 << 20];

test('CRLF text without leading dots passes through unchanged, then the terminator', async () => {
  const message = Buffer.from('Subject: hi\r\n\r\nline one\r\nline two\r\n');
  for (const size of CHUNK_SIZES) {
    const { wire, messageBytes } = await encode(message, null, size);
    assert.equal(wire, `${message.toString('latin1')}.\r\n`, `chunk ${size}`);
    assert.equal(messageBytes, message.length);
  }
});

test('leading dots are stuffed, bare LF becomes CRLF, a missing final line break is added', async () => {
  const message = Buffer.from('Subject: dots\n\n.\r\n..two\n.\r\nmid.dot\r\n.last');
  const expected = 'Subject: dots\r\n\r\n..\r\n...two\r\n..\r\nmid.dot\r\n..last\r\n.\r\n';
  for (const size of CHUNK_SIZES) {
    const { wire, messageBytes } = await encode(message, null, size);
    assert.equal(wire, expected, `chunk ${size}`);
    // Octets of the message in CRLF form, without the stuffing dots and the terminator.
    assert.equal(messageBytes, expected.length - 4 - 3);
  }
});

test('binary-ish bytes (NUL, 8-bit, lone CR) pass through untouched', async () => {
  const message = Buffer.from([0x41, 0x00, 0xff, 0x0d, 0x42, 0x0d, 0x0a, 0x80, 0x0d, 0x0a]);
  for (const size of CHUNK_SIZES) {
    const { wire } = await encode(message, null, size);
    assert.deepEqual(Buffer.from(wire, 'latin1'), Buffer.concat([message, Buffer.from('.\r\n')]));
  }
});

test('TOP sends the header, the blank line and n body lines', async () => {
  const message = Buffer.from('A: 1\r\nB: 2\r\n\r\nbody 1\r\n.body 2\r\nbody 3\r\n');
  for (const size of CHUNK_SIZES) {
    assert.equal((await encode(message, 0, size)).wire, 'A: 1\r\nB: 2\r\n\r\n.\r\n');
    assert.equal((await encode(message, 2, size)).wire, 'A: 1\r\nB: 2\r\n\r\nbody 1\r\n..body 2\r\n.\r\n');
    assert.equal((await encode(message, 10, size)).wire, 'A: 1\r\nB: 2\r\n\r\nbody 1\r\n..body 2\r\nbody 3\r\n.\r\n');
  }
  assert.equal((await encode(Buffer.from('A: 1\nB: 2\n\nx\ny\n'), 1, 1)).wire, 'A: 1\r\nB: 2\r\n\r\nx\r\n.\r\n');
  assert.equal((await encode(Buffer.from('A: only header\r\n'), 0, 5)).wire, 'A: only header\r\n.\r\n');
});

test('TOP stops reading the source once it has its lines', async () => {
  let pulled = 0;
  async function* source() {
    for (let i = 0; i < 1000; i += 1) {
      pulled += 1;
      yield Buffer.from(i === 0 ? 'H: 1\r\n\r\n' : `line ${i}\r\n`);
    }
  }
  const out: Buffer[] = [];
  for await (const piece of encodeMessage(source(), new MessageEncoder({ bodyLineLimit: 3 }))) out.push(piece);
  assert.equal(Buffer.concat(out).toString(), 'H: 1\r\n\r\nline 1\r\nline 2\r\nline 3\r\n.\r\n');
  assert.ok(pulled <= 5, `pulled ${pulled} chunks`);
});

test('an empty message is just the terminator', async () => {
  assert.equal((await encode(Buffer.alloc(0), null, 1)).wire, '.\r\n');
});
