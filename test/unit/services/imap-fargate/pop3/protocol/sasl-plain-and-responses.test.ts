import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatErr, formatMultiline, formatOk } from '../../../../../../services/imap-fargate/pop3/protocol/responses.js';
import { decodeSaslPlain } from '../../../../../../services/imap-fargate/pop3/protocol/sasl-plain.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

test('SASL PLAIN decodes authzid, authcid and password (RFC 4616)', () => {
  assert.deepEqual(decodeSaslPlain(b64('\0bob@example.test\0pa ss wörd')), { authorizationId: '', username: 'bob@example.test', password: 'pa ss wörd' });
  assert.deepEqual(decodeSaslPlain(b64('admin\0bob\0pw')), { authorizationId: 'admin', username: 'bob', password: 'pw' });
});

test('malformed SASL PLAIN is refused', () => {
  for (const input of ['', '!!!!', 'AGJvYg', b64('bob\0pw'), b64('\0\0pw'), b64('\0bob\0'), b64(`\0bob\0${'x'.repeat(256)}`), b64('a\0b\0c\0d')]) {
    assert.equal(decodeSaslPlain(input), null, JSON.stringify(input));
  }
});

test('responses are single CRLF lines with RFC 2449 codes; multi-line bodies are dot-stuffed', () => {
  assert.equal(formatOk('2 320'), '+OK 2 320\r\n');
  assert.equal(formatErr('no such\r\nmessage', 'SYS/TEMP'), '-ERR [SYS/TEMP] no such  message\r\n');
  assert.equal(formatMultiline('Capabilities follow', ['TOP', '.odd']), '+OK Capabilities follow\r\nTOP\r\n..odd\r\n.\r\n');
});
