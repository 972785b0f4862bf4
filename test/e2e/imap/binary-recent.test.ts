// BINARY (RFC 3516) and \Recent (RFC 3501 §2.3.2) end to end with real clients: imapflow fetching a
// part with `binary: true` and appending a message with NUL octets (literal8), Python imaplib with two
// sessions on one mailbox, where exactly one of them gets the new messages as \Recent.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { ALICE, PASSWORD, startFixture, type ImapFixture } from './imap-fixture.js';

let fixture: ImapFixture;
before(async () => {
  fixture = await startFixture();
});
after(async () => fixture.close());

const attachment = Buffer.concat([Buffer.from([0, 0, 1]), randomBytes(50_000), Buffer.from([0])]);
const text = 'Grüße aus Köln = 5 €\r\n'.repeat(40);

function multipart(): string {
  const qp = Buffer.from(text, 'utf8')
    .toString('latin1')
    .replace(/[=\x80-\xff]/gu, (c) => '=' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  return [
    'From: Carol <carol@example.org>',
    'To: Alice <alice@example.test>',
    'Subject: report with attachment',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="part"',
    '',
    '--part',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    qp.replace(/\r\n$/u, ''),
    '--part',
    'Content-Type: application/octet-stream; name="data.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    attachment.toString('base64').replace(/.{76}/gu, '$&\r\n'),
    '--part--',
    '',
  ].join('\r\n');
}

test('imapflow: BINARY fetch returns the decoded parts byte-exact; a message with NULs appends as literal8', async () => {
  const uid = await fixture.deliver(ALICE, multipart(), 'Reports');
  const imap = new ImapFlow({ host: '127.0.0.1', port: fixture.tlsPort, secure: true, tls: { rejectUnauthorized: false }, auth: { user: ALICE, pass: PASSWORD }, logger: false });
  await imap.connect();
  try {
    assert.ok(imap.capabilities.has('BINARY'));
    await imap.mailboxOpen('Reports');
    const fetched = await imap.fetchOne(String(uid), { uid: true, bodyParts: ['1', '2'] }, { uid: true, binary: true });
    assert.ok(fetched && fetched.bodyParts);
    assert.ok(fetched.binaryParts?.has('2'), 'answered with BINARY');
    assert.deepEqual(fetched.bodyParts.get('2'), attachment);
    assert.equal(fetched.bodyParts.get('1')?.toString('utf8'), text.replace(/\r\n$/u, ''));

    const withNul = Buffer.concat([Buffer.from('Subject: raw\r\nContent-Transfer-Encoding: binary\r\n\r\n'), attachment, Buffer.from('\r\n')]);
    const appended = await imap.append('Reports', withNul);
    assert.ok(appended && appended.uid);
    const back = await imap.fetchOne(String(appended.uid), { uid: true, source: true, bodyParts: ['1'] }, { uid: true, binary: true });
    assert.ok(back && back.source && back.bodyParts);
    assert.deepEqual(back.source, withNul, 'stored byte for byte');
    assert.deepEqual(back.bodyParts.get('1'), Buffer.concat([attachment, Buffer.from('\r\n')]));
  } finally {
    await imap.logout();
  }
});

/** Runs a Python program against the fixture (asynchronously: the server shares this event loop). */
function python(script: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('python3', ['-c', script], { env: { ...process.env, PORT: String(fixture.tlsPort), USER: ALICE, PASSWORD }, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      assert.ok(error === null, `python failed:\n${stdout}\n${stderr.slice(-1500)}`);
      resolve(stdout);
    });
  });
}

test('imaplib: two sessions, \\Recent goes to exactly one; STATUS, SEARCH and BINARY over imaplib', async () => {
  const out = await python(String.raw`
import imaplib, os, ssl, re
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
def session():
    m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['PORT']), ssl_context=ctx)
    m.login(os.environ['USER'], os.environ['PASSWORD'])
    return m
a, b, watcher = session(), session(), session()
assert 'BINARY' in a.capabilities, a.capabilities
a.create('Shared')
for n in range(3):
    assert a.append('Shared', None, None, ('Subject: m%d\r\n\r\nbody %d\r\n' % (n, n)).encode())[0] == 'OK'
typ, data = watcher.status('Shared', '(MESSAGES RECENT)')
assert b'MESSAGES 3 RECENT 3' in data[0], data
typ, data = a.select('Shared')
assert a.untagged_responses.get('RECENT') == [b'3'], a.untagged_responses
typ, data = b.select('Shared')
assert b.untagged_responses.get('RECENT') == [b'0'], b.untagged_responses
assert a.search(None, 'RECENT')[1] == [b'1 2 3']
assert b.search(None, 'RECENT')[1] == [b'']
assert b.search(None, 'OLD')[1] == [b'1 2 3']
typ, data = a.fetch('1', '(FLAGS)')
assert b'\\Recent' in data[0], data
typ, data = b.fetch('1', '(FLAGS)')
assert b'\\Recent' not in data[0], data
# A new message while both are selected: exactly one of them gets it as \Recent.
assert watcher.append('Shared', None, None, b'Subject: m4\r\n\r\nbody 4\r\n')[0] == 'OK'
a.noop(); b.noop()
recent_a = a.search(None, 'RECENT')[1][0].split()
recent_b = b.search(None, 'RECENT')[1][0].split()
assert (b'4' in recent_a) != (b'4' in recent_b), (recent_a, recent_b)
assert b'MESSAGES 4 RECENT 0' in watcher.status('Shared', '(MESSAGES RECENT)')[1][0]
# BINARY: a quoted-printable part decoded; BINARY.SIZE; \Seen set by BINARY but not BINARY.PEEK.
body = 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=C3=A9 cr=C3=A8me=\r\n br=C3=BBl=C3=A9e\r\n'
assert a.append('Shared', None, None, body.encode())[0] == 'OK'
a.noop()
typ, data = a.fetch('5', '(BINARY.SIZE[1] BINARY.PEEK[1])')
assert typ == 'OK', data
assert data[0][1] == 'Café crème brûlée\r\n'.encode('utf-8'), data
assert b'BINARY.SIZE[1] %d' % len('Café crème brûlée\r\n'.encode('utf-8')) in data[0][0], data
assert b'\\Seen' not in a.fetch('5', '(FLAGS)')[1][0]
a.fetch('5', '(BINARY[1])')
assert b'\\Seen' in a.fetch('5', '(FLAGS)')[1][0]
for m in (a, b, watcher): m.logout()
print('done')
`);
  assert.match(out, /done/u);
});
