import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildEnvelope, firstHeaderValues, parseAddressList } from '../../../../core/mime/index.js';
import { crlf } from './fixtures.js';

const address = (name: string | null, mailbox: string | null, host: string | null) => ({ name, adl: null, mailbox, host });

test('addresses split into name, mailbox and host with quoting and comments', () => {
  assert.deepEqual(parseAddressList('"Smith, John \\"JJ\\"" <john.smith@example.com>, jane@example.org (Jane Doe)'), [
    address('Smith, John "JJ"', 'john.smith', 'example.com'),
    address('Jane Doe', 'jane', 'example.org'),
  ]);
  assert.deepEqual(parseAddressList('John Q. Public <jqp@example.com>'), [address('John Q. Public', 'jqp', 'example.com')]);
  assert.deepEqual(parseAddressList('=?UTF-8?B?55Sw5Lit?= <tanaka@example.jp>'), [address('=?UTF-8?B?55Sw5Lit?=', 'tanaka', 'example.jp')]);
  assert.deepEqual(parseAddressList('<@relay.example,@other.example:user@example.com>'), [address(null, 'user', 'example.com')]);
  assert.deepEqual(parseAddressList('"odd local"@example.com'), [address(null, '"odd local"', 'example.com')]);
  assert.deepEqual(parseAddressList('user@[192.0.2.1]'), [address(null, 'user', '[192.0.2.1]')]);
});

test('groups become a start marker, members and an end marker (RFC 3501 §7.4.2)', () => {
  assert.deepEqual(parseAddressList('undisclosed-recipients:;'), [
    address(null, 'undisclosed-recipients', null),
    address(null, null, null),
  ]);
  assert.deepEqual(parseAddressList('Team: a@x.test, "B" <b@y.test>; c@z.test'), [
    address(null, 'Team', null),
    address(null, 'a', 'x.test'),
    address('B', 'b', 'y.test'),
    address(null, null, null),
    address(null, 'c', 'z.test'),
  ]);
});

test('missing parts are marked, never mistaken for group markers; garbage gives NIL', () => {
  assert.deepEqual(parseAddressList('MAILER-DAEMON'), [address(null, 'MAILER-DAEMON', 'MISSING_DOMAIN')]);
  assert.deepEqual(parseAddressList('Nobody <>'), [address('Nobody', 'MISSING_MAILBOX', 'MISSING_DOMAIN')]);
  assert.equal(parseAddressList(''), null);
  assert.equal(parseAddressList(null), null);
  assert.equal(parseAddressList(' , ;; '), null);
  for (const hostile of ['<<<>>>', '"unterminated', '(((', 'a@b:c@d;;<', ':::', '@@@']) {
    assert.doesNotThrow(() => parseAddressList(hostile), hostile);
  }
});

test('the envelope takes first occurrences, unfolds raw values and defaults Sender and Reply-To to From', () => {
  const fields = firstHeaderValues(
    crlf(
      'Date: Mon, 30 Nov 2026',
      ' 10:00:00 +0000',
      'Subject: =?UTF-8?Q?h=C3=A9llo?=',
      'Subject: ignored second subject',
      'From: Alice <alice@example.com>',
      'Reply-To:',
      'To: bob@example.org',
      'Cc: ',
      'In-Reply-To: <parent@example.com>',
      'Message-ID: <self@example.com>',
      '',
      '',
    ),
  );
  const envelope = buildEnvelope(fields);
  const alice = [address('Alice', 'alice', 'example.com')];
  assert.deepEqual(envelope, {
    date: 'Mon, 30 Nov 2026 10:00:00 +0000',
    subject: '=?UTF-8?Q?h=C3=A9llo?=',
    from: alice,
    sender: alice,
    replyTo: alice,
    to: [address(null, 'bob', 'example.org')],
    cc: null,
    bcc: null,
    inReplyTo: '<parent@example.com>',
    messageId: '<self@example.com>',
  });
  assert.deepEqual(buildEnvelope(new Map()), {
    date: null,
    subject: null,
    from: null,
    sender: null,
    replyTo: null,
    to: null,
    cc: null,
    bcc: null,
    inReplyTo: null,
    messageId: null,
  });
});
