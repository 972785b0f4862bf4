import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RawMessageScanner } from '../../../../core/delivery/raw-message-structure.js';

test('the raw fallback finds the header end and counts body lines when fed one byte at a time', () => {
  const message = Buffer.from('Subject: x\r\nX-Other: y\r\n\r\nline one\r\nline two\r\n');
  const scanner = new RawMessageScanner();
  for (const byte of message) scanner.write(Uint8Array.of(byte));
  const { root, envelope } = scanner.structure([{ name: 'subject', value: 'x', raw: 'x' }]);
  assert.equal(message.subarray(root.bodyStart, root.bodyEnd).toString(), 'line one\r\nline two\r\n');
  assert.equal(root.lines, 2);
  assert.equal(`${root.type}/${root.subtype}`, 'text/plain');
  assert.equal(envelope.subject, 'x');
});

test('bare-LF mail and a message without a blank line still get a structure', () => {
  const bare = new RawMessageScanner();
  bare.write(Buffer.from('A: b\n\nbody\n'));
  assert.equal(bare.structure([]).root.bodyStart, 6);
  const headerOnly = new RawMessageScanner();
  headerOnly.write(Buffer.from('A: b\r\nC: d\r\n'));
  const { root } = headerOnly.structure([]);
  assert.equal(root.bodyStart, 12);
  assert.equal(root.sizeBytes, 0);
});

test('any split into chunks gives the structure of the whole message', () => {
  for (const text of ['Subject: x\r\nA: b\r\n\r\none\r\ntwo\r\n', 'A: b\n\nbody\nmore\n', 'A: b\r\n\n\r\nx\n']) {
    const message = Buffer.from(text);
    const whole = new RawMessageScanner();
    whole.write(message);
    const expected = whole.structure([]);
    for (let cut = 0; cut <= message.length; cut++) {
      for (const size of [1, 2, 3]) {
        const scanner = new RawMessageScanner();
        scanner.write(message.subarray(0, cut));
        for (let offset = cut; offset < message.length; offset += size) scanner.write(message.subarray(offset, offset + size));
        assert.deepEqual(scanner.structure([]), expected, `cut at ${cut}, then ${size}-byte chunks of ${JSON.stringify(text)}`);
      }
    }
  }
});
