import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandLine } from '../../../../../services/smtp-fargate/protocol/command-parser.js';
import { formatReply } from '../../../../../services/smtp-fargate/protocol/reply.js';

test('verbs are case-insensitive and typed', () => {
  assert.deepEqual(parseCommandLine('ehlo client.example'), { ok: true, command: { verb: 'EHLO', domain: 'client.example' } });
  assert.deepEqual(parseCommandLine('BDAT 1000 last'), { ok: true, command: { verb: 'BDAT', chunkBytes: 1000, last: true } });
  assert.deepEqual(parseCommandLine('AUTH plain dGVzdA=='), { ok: true, command: { verb: 'AUTH', mechanism: 'PLAIN', initialResponse: 'dGVzdA==' } });
  assert.deepEqual(parseCommandLine('NOOP anything'), { ok: true, command: { verb: 'NOOP' } });
});

test('MAIL FROM with every parameter we support', () => {
  const parsed = parseCommandLine('MAIL FROM:<a@b.example> SIZE=123 BODY=8bitmime SMTPUTF8 RET=HDRS ENVID=x+2By AUTH=<> requiretls');
  assert.deepEqual(parsed, {
    ok: true,
    command: {
      verb: 'MAIL',
      path: { address: 'a@b.example', hasNonAscii: false },
      params: { sizeBytes: 123, body: '8BITMIME', smtpUtf8: true, requireTls: true, dsnReturn: 'HDRS', dsnEnvelopeId: 'x+y' },
    },
  });
  const plain = parseCommandLine('MAIL FROM:<a@b.example>');
  assert.ok(plain.ok && plain.command.verb === 'MAIL' && plain.command.params.requireTls === false);
  const valued = parseCommandLine('MAIL FROM:<a@b.example> REQUIRETLS=yes');
  assert.deepEqual(valued, { ok: false, error: 'syntax', detail: 'REQUIRETLS takes no value' });
});

test('null sender, source routes, quoted local parts, a space after the colon', () => {
  const path = (line: string) => {
    const parsed = parseCommandLine(line);
    return parsed.ok && (parsed.command.verb === 'MAIL' || parsed.command.verb === 'RCPT') ? parsed.command.path.address : parsed;
  };
  assert.equal(path('MAIL FROM:<>'), '');
  assert.equal(path('RCPT TO:<@relay.example,@other.example:user@d.example>'), 'user@d.example');
  assert.equal(path('RCPT TO:<"john doe>x"@d.example>'), '"john doe>x"@d.example');
  assert.equal(path('MAIL FROM: <a@b.example>'), 'a@b.example');
});

test('RCPT TO with DSN parameters', () => {
  const parsed = parseCommandLine('RCPT TO:<u@d.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;u+40d.example');
  assert.ok(parsed.ok && parsed.command.verb === 'RCPT');
  assert.deepEqual(parsed.command.params, { notify: ['SUCCESS', 'DELAY'], orcpt: 'rfc822;u@d.example' });
});

test('bad input becomes a typed error, never an exception', () => {
  const error = (line: string) => {
    const parsed = parseCommandLine(line);
    return parsed.ok ? 'ok' : parsed.error;
  };
  assert.equal(error('XYZZY'), 'unrecognized');
  assert.equal(error(''), 'unrecognized');
  assert.equal(error('EHLO'), 'syntax');
  assert.equal(error('MAIL TO:<a@b>'), 'syntax');
  assert.equal(error('MAIL FROM:a@b.example'), 'syntax');
  assert.equal(error('MAIL FROM:<a@b.example'), 'syntax');
  assert.equal(error('MAIL FROM:<no-at-sign>'), 'bad-sender-syntax');
  assert.equal(error('RCPT TO:<>'), 'bad-recipient-syntax');
  assert.equal(error('MAIL FROM:<a@b.example> SIZE=big'), 'syntax');
  assert.equal(error('MAIL FROM:<a@b.example> SIZE=1 SIZE=2'), 'syntax');
  assert.equal(error('MAIL FROM:<a@b.example> MT-PRIORITY=3'), 'unknown-parameter');
  assert.equal(error('RCPT TO:<a@b.example> NOTIFY=NEVER,SUCCESS'), 'syntax');
  assert.equal(error('MAIL FROM:<a@b.example> ENVID=bad=xtext'), 'syntax');
  assert.equal(error('BDAT -1'), 'syntax');
  assert.equal(error('DATA now'), 'syntax');
  assert.equal(error('\u0000\u0001'), 'unrecognized');
});

test('replies: enhanced code on every line of a multi-line reply (RFC 2034 §3)', () => {
  assert.equal(formatReply({ code: 250, enhanced: '2.0.0', lines: ['one', 'two'] }), '250-2.0.0 one\r\n250 2.0.0 two\r\n');
  assert.equal(formatReply({ code: 220, lines: ['host ESMTP'] }), '220 host ESMTP\r\n');
  assert.equal(formatReply({ code: 334, lines: [] }), '334 \r\n');
});
