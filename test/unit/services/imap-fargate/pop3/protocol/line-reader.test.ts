import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineReader, type LineEvent } from '../../../../../../services/imap-fargate/pop3/protocol/line-reader.js';

function feedByteByByte(reader: LineReader, text: string): LineEvent[] {
  return [...Buffer.from(text)].flatMap((byte) => reader.push(Buffer.from([byte])));
}

test('lines split on CRLF and bare LF, also when fed one byte at a time', () => {
  const input = 'USER bob\r\nPASS sécret word\nSTAT\r\n';
  const expected = [
    { kind: 'line', text: 'USER bob' },
    { kind: 'line', text: 'PASS sécret word' },
    { kind: 'line', text: 'STAT' },
  ];
  assert.deepEqual(new LineReader(100).push(Buffer.from(input)), expected);
  assert.deepEqual(feedByteByByte(new LineReader(100), input), expected);
});

test('a partial line waits for its end', () => {
  const reader = new LineReader(100);
  assert.deepEqual(reader.push(Buffer.from('NO')), []);
  assert.deepEqual(reader.push(Buffer.from('OP\r')), []);
  assert.deepEqual(reader.push(Buffer.from('\n')), [{ kind: 'line', text: 'NOOP' }]);
});

test('an over-long line is reported once and skipped, the next line is read normally', () => {
  const reader = new LineReader(8);
  assert.deepEqual(reader.push(Buffer.from('12345678\r\n')), [{ kind: 'line', text: '12345678' }]);
  const long = 'X'.repeat(50);
  assert.deepEqual(feedByteByByte(reader, `${long}\r\nSTAT\r\n`), [{ kind: 'too-long' }, { kind: 'line', text: 'STAT' }]);
  assert.deepEqual(reader.push(Buffer.from(`${long}\r\nQUIT\r\n`)), [{ kind: 'too-long' }, { kind: 'line', text: 'QUIT' }]);
});

test('discardBuffered drops pipelined bytes (STLS command injection)', () => {
  const reader = new LineReader(100);
  const events = reader.push(Buffer.from('STLS\r\nUSER inj'));
  assert.deepEqual(events, [{ kind: 'line', text: 'STLS' }]);
  reader.discardBuffered();
  assert.deepEqual(reader.push(Buffer.from('ected\r\nCAPA\r\n')), [
    { kind: 'line', text: 'ected' },
    { kind: 'line', text: 'CAPA' },
  ]);
});
