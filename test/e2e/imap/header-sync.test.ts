// Header sync end to end: `UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)` answered from
// the ENVELOPE the index cached at delivery must be byte-equal to what the serialiser writes for the
// message's parsed envelope, for tricky messages (encoded words, ISO-2022-JP, raw 8-bit headers,
// missing headers, groups, quotes, a literal-length subject, hundreds of recipients), in IMAP4rev1
// form and after ENABLE UTF8=ACCEPT. Python's imaplib shows the raw bytes; imapflow (which enables
// UTF8=ACCEPT and IMAP4rev2) shows a client reads them back to the right values.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { formatEnvelope } from '../../../core/mail/imap-envelope.js';
import { parseMessageStructure } from '../../../core/mime/index.js';
import { ALICE, PASSWORD, startFixture, type ImapFixture } from './imap-fixture.js';

const recipients = Array.from({ length: 120 }, (_, i) => `"Recipient ${i}" <r${i}@example.test>`).join(',\r\n ');
const MESSAGES: readonly string[] = [
  'From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\r\nTo: Alice <alice@example.test>\r\nSubject: =?UTF-8?B?5Lya6K2w44Gu6K2w5LqL6Yyy?=\r\nDate: Mon, 30 Nov 2026 10:00:00 +0900\r\nMessage-ID: <m1@example.jp>\r\n\r\nbody\r\n',
  'From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\nTo: alice@example.test\r\nSubject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\r\n\r\nbody\r\n',
  'From: 山田 太郎 <山田@example.jp>\r\nTo: alice@example.test\r\nSubject: 日本語の件名\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nraw 8-bit header (SMTPUTF8)\r\n',
  'X-Nothing: here\r\n\r\nno envelope header at all\r\n',
  'From: "Doe, \\"JD\\" John" <john@example.com>\r\nTo: undisclosed-recipients:;\r\nCc: team: "B" <b@x.test>, c@x.test;\r\nSubject: say "hi" \\ there\r\n\r\nbody\r\n',
  `From: a@example.test\r\nSubject: ${'long '.repeat(250)}\r\n\r\nbody\r\n`,
  `From: List <list@lists.test>\r\nSender: bounces@lists.test\r\nReply-To: replies@lists.test\r\nIn-Reply-To: <parent@x.test>\r\nTo: ${recipients}\r\nSubject: many recipients\r\n\r\nbody\r\n`,
];

let fixture: ImapFixture;
before(async () => {
  fixture = await startFixture();
  for (const raw of MESSAGES) await fixture.deliver(ALICE, raw);
});
after(async () => fixture.close());

/** What the serialiser writes for each message's envelope, parsed from the raw message here (not from the index). */
async function expectedEnvelopes(utf8: boolean): Promise<string[]> {
  return Promise.all(
    MESSAGES.map(async (raw) => {
      const structure = await parseMessageStructure(
        (async function* () {
          yield Buffer.from(raw);
        })(),
      );
      return formatEnvelope(structure.envelope, { utf8 });
    }),
  );
}

/** imaplib's header sync in one mode; prints each FETCH response with its literals put back, base64. */
const SYNC = String.raw`
import imaplib, os, ssl, base64, json, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
imaplib.Commands['ENABLE'] = ('AUTH',)
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['TLS_PORT']), ssl_context=ctx)
m.login(os.environ['USER'], os.environ['PASSWORD'])
if sys.argv[1] == 'utf8':
    typ, data = m._simple_command('ENABLE', 'UTF8=ACCEPT')
    assert typ == 'OK', data
typ, data = m.select('INBOX')
assert typ == 'OK', data
out = {}
for name, command in [('sync', ('UID', 'FETCH', '1:*', '(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)')), ('structure', ('FETCH', '1:*', '(UID BODYSTRUCTURE ENVELOPE)'))]:
    typ, data = m._simple_command(*command)
    assert typ == 'OK', data
    responses = []
    for part in m.untagged_responses.pop('FETCH', []):
        raw = part[0] + b'\r\n' + part[1] if isinstance(part, tuple) else part
        # A response starts with its sequence number; text after a literal continues the one before.
        if raw[:1].isdigit(): responses.append(raw)
        else: responses[-1] += raw
    out[name] = [base64.b64encode(b'* ' + r).decode() for r in responses]
m.logout()
print(json.dumps(out))
`;

function imaplibSync(mode: 'rev1' | 'utf8'): Promise<{ sync: string[]; structure: string[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', SYNC, mode],
      { env: { ...process.env, TLS_PORT: String(fixture.tlsPort), USER: ALICE, PASSWORD }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`python failed:\n${stdout}\n${stderr.slice(-1500)}`));
        else {
          const decoded = JSON.parse(stdout) as Record<'sync' | 'structure', string[]>;
          const text = (list: string[]) => list.map((b64) => Buffer.from(b64, 'base64').toString('utf8'));
          resolve({ sync: text(decoded.sync), structure: text(decoded.structure) });
        }
      },
    );
  });
}

/** The ENVELOPE value of a response whose last item it is. */
function envelopeOf(response: string): string {
  const at = response.indexOf(' ENVELOPE (');
  assert.ok(at > 0 && response.endsWith(')'), response.slice(0, 200));
  return response.slice(at + ' ENVELOPE '.length, -1);
}

for (const mode of ['rev1', 'utf8'] as const) {
  test(`imaplib header sync (${mode}): every ENVELOPE is byte-equal to the serialiser's, and to the uncached path`, async () => {
    const expected = await expectedEnvelopes(mode === 'utf8');
    const { sync, structure } = await imaplibSync(mode);
    assert.equal(sync.length, MESSAGES.length);
    sync.forEach((response, i) => {
      // imaplib keeps untagged FETCH data without its "FETCH" word.
      assert.match(response, new RegExp(`^\\* ${i + 1} \\(UID ${i + 1} FLAGS \\([^)]*\\) RFC822\\.SIZE \\d+ INTERNALDATE "[^"]+" ENVELOPE \\(`, 'u'));
      assert.equal(envelopeOf(response), expected[i], `message ${i + 1}`);
    });
    // FETCH with BODYSTRUCTURE loads the whole structure and serialises its envelope there and then.
    assert.deepEqual(structure.map(envelopeOf), expected);
    // The 8-bit message: a literal for IMAP4rev1 sessions (RFC 3501 §4.3), quoted after UTF8=ACCEPT (RFC 6855 §3).
    assert.ok(sync[2]!.includes(mode === 'utf8' ? '"日本語の件名"' : '{18}\r\n日本語の件名'), sync[2]);
  });
}

test('imapflow (UTF8=ACCEPT, IMAP4rev2) reads the cached envelopes back to the right values', async () => {
  const imap = new ImapFlow({ host: '127.0.0.1', port: fixture.tlsPort, secure: true, tls: { rejectUnauthorized: false }, auth: { user: ALICE, pass: PASSWORD }, logger: false });
  await imap.connect();
  try {
    await imap.mailboxOpen('INBOX');
    const envelopes = [];
    for await (const message of imap.fetch('1:*', { uid: true, flags: true, size: true, internalDate: true, envelope: true }, { uid: true })) envelopes.push(message.envelope!);
    assert.equal(envelopes.length, MESSAGES.length);
    const [encoded, iso2022, eightBit, bare, groups, long, list] = envelopes;
    assert.equal(encoded!.subject, '会議の議事録');
    assert.deepEqual(encoded!.from, [{ name: '山田', address: 'yamada@example.jp' }]);
    assert.equal(encoded!.messageId, '<m1@example.jp>');
    assert.equal(iso2022!.subject, '日本語');
    assert.equal(iso2022!.from?.[0]?.name, '山田');
    assert.equal(eightBit!.subject, '日本語の件名');
    assert.deepEqual(eightBit!.from, [{ name: '山田 太郎', address: '山田@example.jp' }]);
    assert.ok(!bare!.subject && !bare!.from?.length && !bare!.date, JSON.stringify(bare));
    assert.equal(groups!.subject, 'say "hi" \\ there');
    // The group's start and end markers carry no address.
    assert.deepEqual(
      groups!.cc?.map((a) => a.address).filter(Boolean),
      ['b@x.test', 'c@x.test'],
    );
    assert.equal(long!.subject, 'long '.repeat(250).trim());
    assert.equal(list!.to?.length, 120);
    assert.deepEqual(list!.sender, [{ name: '', address: 'bounces@lists.test' }]);
    assert.deepEqual(list!.replyTo, [{ name: '', address: 'replies@lists.test' }]);
    assert.equal(list!.inReplyTo, '<parent@x.test>');
  } finally {
    await imap.logout();
  }
});
