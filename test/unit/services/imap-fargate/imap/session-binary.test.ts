// FETCH BINARY / BINARY.PEEK / BINARY.SIZE (RFC 3516, RFC 9051 §6.4.5) in the sans-IO session: decoded
// content byte-exact (base64 with NULs as literal8 `~{n}`, quoted-printable as a plain literal),
// partials, missing parts, NO [UNKNOWN-CTE], \Seen only without .PEEK, APPEND of a literal8, and one
// blob read per part and response (a literal's length is known before its bytes without a second pass).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { openMemoryImap, PASSWORD, type MemoryClient, type MemoryImap } from './memory-session.js';

let imap: MemoryImap;
let a: MemoryClient;

const attachment = Buffer.concat([Buffer.from([0, 1, 2, 0]), randomBytes(3000), Buffer.from([0])]);
const text = 'Caf\u00e9 cr\u00e8me = \u20ac3,50\r\n'.repeat(20);
const qpText = Buffer.from(text, 'utf8')
  .toString('latin1')
  .replace(/[=\x80-\xff]/gu, (c) => '=' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
const message = [
  'From: a@example.test',
  'Subject: binary',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  qpText.replace(/\r\n$/u, ''),
  '--b1',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: base64',
  '',
  attachment.toString('base64').replace(/.{76}/gu, '$&\r\n'),
  '--b1',
  'Content-Type: text/plain',
  'Content-Transfer-Encoding: x-uuencode',
  '',
  'begin 644 x',
  '--b1--',
  '',
].join('\r\n');

before(async () => {
  imap = await openMemoryImap();
  a = imap.client();
  await a.send(`1 LOGIN ann@example.test "${PASSWORD}"`);
  await a.send('2 CREATE Bin');
  assert.match(await a.send(`3 APPEND Bin {${Buffer.byteLength(message)}+}\r\n${message}`), /^3 OK \[APPENDUID/mu);
  assert.match(await a.send('4 SELECT Bin'), /^4 OK/mu);
});
after(async () => {
  await imap.close();
});

/** The literal that follows `label` in a response, as raw bytes. */
function literalAfter(response: Buffer, label: string): { literal8: boolean; bytes: Buffer } {
  const at = response.indexOf(label);
  assert.ok(at >= 0, `${label} in ${response.toString('latin1').slice(0, 300)}`);
  const header = /^ (~?)\{(\d+)\}\r\n/u.exec(response.subarray(at + label.length, at + label.length + 40).toString('latin1'));
  assert.ok(header, `a literal after ${label}`);
  const start = at + label.length + header[0].length;
  return { literal8: header[1] === '~', bytes: response.subarray(start, start + Number(header[2])) };
}

test('CAPABILITY advertises BINARY', async () => {
  assert.match(await a.send('5 CAPABILITY'), /^\* CAPABILITY .*\bBINARY\b/mu);
});

test('base64 with NULs comes back decoded as literal8; BINARY.SIZE gives its decoded size', async () => {
  const response = await a.sendRaw(Buffer.from('6 FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2])\r\n'));
  assert.match(response.toString('latin1'), new RegExp(`BINARY\\.SIZE\\[2\\] ${attachment.length} BINARY\\[2\\] ~\\{`, 'u'));
  const { literal8, bytes } = literalAfter(response, 'BINARY[2]');
  assert.equal(literal8, true, 'NUL octets need literal8 (RFC 3516 §4.3)');
  assert.deepEqual(bytes, attachment);
  assert.match(response.toString('latin1'), /\r\n6 OK FETCH completed\r\n$/u);
});

test('quoted-printable comes back decoded as a plain literal; partials count decoded octets', async () => {
  const response = await a.sendRaw(Buffer.from('7 FETCH 1 (BINARY.PEEK[1] BINARY.PEEK[2]<1.3> BINARY.PEEK[1]<5000.10>)\r\n'));
  const whole = literalAfter(response, 'BINARY[1]');
  assert.equal(whole.literal8, false);
  assert.equal(whole.bytes.toString('utf8'), text.replace(/\r\n$/u, ''));
  assert.deepEqual(literalAfter(response, 'BINARY[2]<1>').bytes, attachment.subarray(1, 4));
  assert.match(response.toString('latin1'), /BINARY\[1\]<5000> \{0\}\r\n\)/u, 'an offset past the end is empty');
});

/** Records the byte range of every blob read until `restore` is called. */
function recordBlobReads(): { reads: string[]; restore: () => void } {
  const reads: string[] = [];
  const blobs = imap.storage.blobs;
  const get = blobs.get.bind(blobs);
  blobs.get = (key, range) => {
    reads.push(`${range?.start}-${range?.end}`);
    return get(key, range);
  };
  return { reads, restore: () => (blobs.get = get) };
}

test('each part is read once per response: BINARY.SIZE and BINARY of one part, a partial and a size', async () => {
  const { reads, restore } = recordBlobReads();
  try {
    const response = await a.sendRaw(Buffer.from('16 FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2] BINARY.PEEK[1]<0.4> BINARY.SIZE[1])\r\n'));
    assert.deepEqual(literalAfter(response, 'BINARY[2]').bytes, attachment);
    assert.deepEqual(literalAfter(response, 'BINARY[1]<0>').bytes, Buffer.from(text).subarray(0, 4));
    assert.equal(reads.length, 2, `one read of part 2 for its size and its bytes, one of part 1: ${reads.join(', ')}`);
    reads.length = 0;
    // Measured in this session already: the size alone costs no read in a later command.
    assert.match(await a.send('17 FETCH 1 (BINARY.SIZE[2])'), new RegExp(`BINARY\\.SIZE\\[2\\] ${attachment.length}\\)`, 'u'));
    assert.deepEqual(reads, []);
  } finally {
    restore();
  }
});

test('a part too large to hold is measured once per session and streamed; a partial of it is one pass', async () => {
  const big = randomBytes(1536 * 1024);
  const raw = `Subject: big\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${big.toString('base64').replace(/.{76}/gu, '$&\r\n')}\r\n`;
  const c = imap.client({ maxMessageBytes: 4 << 20 });
  await c.send(`1 LOGIN ann@example.test "${PASSWORD}"`);
  await c.send('2 CREATE Big');
  const uid = /APPENDUID \d+ (\d+)/u.exec(await c.send(`3 APPEND Big {${raw.length}+}\r\n${raw}`))?.[1];
  await c.send('4 SELECT Big');
  const { reads, restore } = recordBlobReads();
  try {
    const window = literalAfter(await c.sendRaw(Buffer.from(`5 UID FETCH ${uid} (BINARY.PEEK[1]<100.1000>)\r\n`)), 'BINARY[1]<100>');
    assert.deepEqual(window.bytes, big.subarray(100, 1100));
    assert.equal(reads.length, 1, 'a bounded partial decodes up to its end, once');
    reads.length = 0;
    const whole = literalAfter(await c.sendRaw(Buffer.from(`6 UID FETCH ${uid} (BINARY.SIZE[1] BINARY.PEEK[1])\r\n`)), 'BINARY[1]');
    assert.deepEqual(whole.bytes, big);
    assert.equal(reads.length, 2, 'measured, then decoded again as it streams: nothing large is held');
    reads.length = 0;
    assert.match(await c.send(`7 UID FETCH ${uid} (BINARY.SIZE[1])`), new RegExp(`BINARY\\.SIZE\\[1\\] ${big.length} UID`, 'u'));
    assert.deepEqual(reads, [], 'the measure is remembered');
  } finally {
    restore();
  }
});

test('a missing part is empty; BINARY[] is the stored message; section keywords are refused', async () => {
  assert.match(await a.send('8 FETCH 1 (BINARY.PEEK[9] BINARY.SIZE[9])'), /\* 1 FETCH \(BINARY\[9\] "" BINARY\.SIZE\[9\] 0\)/u);
  const whole = literalAfter(await a.sendRaw(Buffer.from('9 FETCH 1 (BINARY.PEEK[])\r\n')), 'BINARY[]');
  assert.equal(whole.bytes.toString('latin1'), message);
  assert.match(await a.send('10 FETCH 1 (BINARY.PEEK[1.MIME])'), /^10 BAD/mu);
});

test('an unknown transfer encoding is NO [UNKNOWN-CTE] before any of the response', async () => {
  const response = await a.send('11 FETCH 1 (FLAGS BINARY.PEEK[3])');
  assert.match(response, /^11 NO \[UNKNOWN-CTE\]/mu);
  assert.doesNotMatch(response, /\* 1 FETCH/u);
});

test('BINARY sets \\Seen, BINARY.PEEK does not', async () => {
  assert.doesNotMatch(await a.send('12 FETCH 1 (FLAGS)'), /\\Seen/u);
  assert.match(await a.send('13 FETCH 1 (BINARY[1]<0.4>)'), /\* 1 FETCH \(BINARY\[1\]<0> \{4\}\r\nCaf. FLAGS \(\\Seen \\Recent\)\)/u);
});

test('APPEND takes a literal8 with NUL octets', async () => {
  const withNul = Buffer.concat([Buffer.from('Subject: nul\r\nContent-Transfer-Encoding: binary\r\n\r\n'), Buffer.from([0x61, 0, 0x62]), Buffer.from('\r\n')]);
  const reply = await a.sendRaw(Buffer.concat([Buffer.from(`14 APPEND Bin ~{${withNul.length}+}\r\n`), withNul, Buffer.from('\r\n')]));
  assert.match(reply.toString(), /^14 OK \[APPENDUID \d+ 2\]/mu);
  const fetched = literalAfter(await a.sendRaw(Buffer.from('15 UID FETCH 2 (BINARY.PEEK[1])\r\n')), 'BINARY[1]');
  assert.equal(fetched.literal8, true);
  assert.deepEqual(fetched.bytes, Buffer.from([0x61, 0, 0x62, 0x0d, 0x0a]));
});
