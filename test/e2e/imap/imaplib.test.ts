// IMAP end to end with Python's imaplib (the client behind many scripts and mbsync-style tools):
// every command and extension of issue 5, checked by assertions inside the Python program.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { ALICE, BOB, PASSWORD, startFixture, type ImapFixture } from './imap-fixture.js';

let fixture: ImapFixture;
before(async () => {
  fixture = await startFixture();
});
after(async () => fixture.close());

/** Runs a Python program against the fixture (asynchronously: the server shares this event loop). */
function python(script: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      'python3',
      ['-c', script],
      { env: { ...process.env, PORT: String(fixture.port), TLS_PORT: String(fixture.tlsPort), USER_A: ALICE, USER_B: BOB, PASSWORD, ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        assert.ok(error === null, `python failed:\n${stdout}\n${stderr.slice(-1500)}`);
        resolve(stdout);
      },
    );
  });
}

const PRELUDE = String.raw`
import imaplib, os, ssl, re, base64
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
def untagged(m, name):
    return m.untagged_responses.pop(name, [])
for extra in ['ID', 'ENABLE', 'MOVE']:
    imaplib.Commands[extra] = ('NONAUTH', 'AUTH', 'SELECTED')
def eq(actual, expected):
    assert actual == expected, (actual, expected)
def ok(res):
    typ, data = res
    assert typ == 'OK', (typ, data)
    return data
`;

test('plaintext port: LOGINDISABLED until STARTTLS, then LOGIN works', async () => {
  await python(PRELUDE + String.raw`
m = imaplib.IMAP4('127.0.0.1', int(os.environ['PORT']))
assert 'LOGINDISABLED' in m.capabilities and 'STARTTLS' in m.capabilities, m.capabilities
try:
    m.login(os.environ['USER_A'], os.environ['PASSWORD']); raise SystemExit('login allowed without TLS')
except imaplib.IMAP4.error as e:
    assert 'PRIVACYREQUIRED' in str(e) or 'TLS' in str(e), e
m.starttls(ssl_context=ctx)
assert 'AUTH=PLAIN' in m.capabilities and 'LOGINDISABLED' not in m.capabilities, m.capabilities
ok(m.login(os.environ['USER_A'], os.environ['PASSWORD']))
m.logout()
`);
});

test('mailbox commands: CREATE (Japanese and special-use), LIST, LSUB, SUBSCRIBE, RENAME, DELETE, STATUS, NAMESPACE, ID, QUOTA', async () => {
  const out = await python(PRELUDE + String.raw`
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['TLS_PORT']), ssl_context=ctx)
ok(m.login(os.environ['USER_A'], os.environ['PASSWORD']))
for cap in ['IMAP4REV1', 'IDLE', 'UIDPLUS', 'MOVE', 'SPECIAL-USE', 'CREATE-SPECIAL-USE', 'CONDSTORE', 'QRESYNC', 'NAMESPACE', 'ID', 'ENABLE', 'LITERAL+', 'UNSELECT', 'QUOTA', 'SASL-IR', 'STATUS=SIZE', 'UTF8=ACCEPT', 'ESEARCH']:
    assert cap in m.capabilities, cap
# 日本語 in modified UTF-7 (RFC 3501 §5.1.3)
name = '&ZeVnLIqe-/&MEp35TCJMFs-'
ok(m.create('&ZeVnLIqe-'))
ok(m.create(name))
typ, data = m.list('""', '&ZeVnLIqe-*')
listed = b' '.join(data).decode()
assert '&ZeVnLIqe-/&MEp35TCJMFs-' in listed and '\\HasChildren' in listed, listed
ok(m._simple_command('CREATE', 'Receipts', '(USE (\\Archive))'))
typ, data = m.list('""', 'Receipts')
assert b'\\Archive' in data[0], data
ok(m.subscribe('Receipts'))
typ, data = m.lsub('""', '*')
assert any(b'Receipts' in d for d in data), data
ok(m.unsubscribe('Receipts'))
typ, data = m.lsub('""', 'Receipts')
assert data == [None], data
ok(m.rename('Receipts', '"Receipts 2026"'))
typ, data = m.list('""', 'Receipts*')
assert b'"Receipts 2026"' in data[0], data
ok(m.delete('"Receipts 2026"'))
typ, data = m.delete('"No such box"')
assert typ == 'NO', data
typ, data = m.status('INBOX', '(MESSAGES UIDNEXT UIDVALIDITY UNSEEN SIZE HIGHESTMODSEQ)')
assert typ == 'OK' and b'SIZE' in data[0] and b'HIGHESTMODSEQ' in data[0], data
ok(m._simple_command('NAMESPACE'))
assert untagged(m, 'NAMESPACE') == [b'(("" "/")) NIL NIL']
ok(m._simple_command('ID', '("name" "imaplib")'))
assert b'Yubin' in untagged(m, 'ID')[0]
typ, data = m.getquotaroot('INBOX')
assert typ == 'OK' and b'STORAGE' in data[1][0], data
typ, data = m.getquota('""')
assert typ == 'OK' and b'STORAGE' in data[0], data
typ, data = m.setquota('""', '(STORAGE 10)')
assert typ == 'NO', data
m.logout()
print('done')
`);
  assert.match(out, /done/u);
});

const MULTIPART = [
  'From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>',
  'To: alice@example.test',
  'Subject: =?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?=',
  'Date: Tue, 01 Dec 2026 09:00:00 +0900',
  'Message-ID: <m1@example.jp>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  '--outer',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'The invoice is attached.',
  '--outer',
  'Content-Type: message/rfc822',
  '',
  'From: billing@example.com',
  'Subject: Inner',
  '',
  'Inner body line',
  '--outer--',
  '',
].join('\r\n');

test('messages: APPEND, SELECT/EXAMINE, FETCH sections, STORE, SEARCH, ESEARCH, COPY, MOVE, EXPUNGE, CONDSTORE, QRESYNC, UNSELECT, CLOSE', async () => {
  const out = await python(
    PRELUDE +
      String.raw`
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['TLS_PORT']), ssl_context=ctx)
ok(m.login(os.environ['USER_A'], os.environ['PASSWORD']))
ok(m.create('Work'))
msg = os.environ['MULTIPART'].encode()
typ, data = m.append('Work', '(\\Flagged)', '"01-Dec-2026 09:00:00 +0900"', msg)
assert typ == 'OK' and b'APPENDUID' in data[0], data
for i in range(3):
    ok(m.append('Work', None, None, ('Subject: plain %d\r\nFrom: a@b.c\r\n\r\nbody number %d\r\n' % (i, i)).encode()))
typ, data = m.select('Work')
assert data == [b'4'], data
# FETCH from the cached structure
typ, data = m.fetch('1', '(BODYSTRUCTURE ENVELOPE RFC822.SIZE INTERNALDATE)')
text = data[0].decode() if isinstance(data[0], bytes) else data[0][0].decode()
assert '("TEXT" "PLAIN" ("CHARSET" "utf-8")' in text and '"MESSAGE" "RFC822"' in text and '"MIXED"' in text, text
assert '=?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?=' in text, text
assert ' 1-Dec-2026 00:00:00 +0000' in text, text
assert 'RFC822.SIZE %d' % len(msg) in text, text
typ, data = m.fetch('1', '(BODY.PEEK[1] BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] BODY.PEEK[HEADER.FIELDS (Subject Message-ID)] BODY.PEEK[TEXT]<0.7> BODY.PEEK[1.MIME])')
parts = {d[0].split(b' ')[-2] if False else d[0]: d[1] for d in data if isinstance(d, tuple)}
vals = [d[1] for d in data if isinstance(d, tuple)]
assert vals[0] == b'The invoice is attached.', vals[0]
assert vals[1].startswith(b'From: billing@example.com\r\nSubject: Inner\r\n\r\n'), vals[1]
assert vals[2].startswith(b'Inner body line'), vals[2]
assert vals[3].startswith(b'Subject: =?UTF-8?B?') and b'Message-ID: <m1@example.jp>' in vals[3] and b'From:' not in vals[3] and vals[3].endswith(b'\r\n\r\n'), vals[3]
assert vals[4] == b'--outer', vals[4]
assert vals[5].startswith(b'Content-Type: text/plain'), vals[5]
typ, data = m.fetch('1', '(FLAGS)')
assert b'\\Seen' not in data[0], data
typ, data = m.fetch('2', '(BODY[TEXT])')
assert b'\\Seen' in b' '.join(d[0] if isinstance(d, tuple) else d for d in data), data
typ, data = m.fetch('2', '(RFC822.HEADER RFC822.TEXT)')
assert b'Subject: plain 0' in data[0][1], data
# STORE and SEARCH
typ, data = m.store('3', '+FLAGS', '(\\Answered $Label1)')
assert b'\\Answered' in data[0] and b'$Label1' in data[0], data
typ, data = m.store('3', '+FLAGS.SILENT', '(\\Draft)')
assert data == [None], data
eq(m.search(None, 'ANSWERED')[1], [b'3'])
eq(m.search(None, 'KEYWORD', '$Label1')[1], [b'3'])
eq(m.search(None, 'UNSEEN')[1], [b'1 3 4'])
eq(m.search(None, 'OR', 'FLAGGED', 'ANSWERED')[1], [b'1 3'])
eq(m.search(None, 'NOT', 'FROM', 'yamada')[1], [b'2 3 4'])
eq(m.search('UTF-8', 'SUBJECT', '日本語'.encode())[1], [b'1'])
eq(m.search(None, 'BODY', '"number 2"')[1], [b'4'])
eq(m.search(None, 'TEXT', 'billing@example')[1], [b'1'])
eq(m.search(None, 'HEADER', 'Message-ID', 'm1@example')[1], [b'1'])
eq(m.search(None, 'LARGER', '200')[1], [b'1'])
eq(m.search(None, 'SENTSINCE', '1-Dec-2026')[1], [b'1'])
eq(m.search(None, '2:*', 'SMALLER', '200')[1], [b'2 3 4'])
typ, data = m.uid('SEARCH', None, 'ALL')
uids = [int(x) for x in data[0].split()]
assert len(uids) == 4 and uids == sorted(uids), data
typ, data = m.search(None, 'RETURN', '(MIN MAX COUNT)', 'ALL')
esearch = untagged(m, 'ESEARCH')
assert esearch and b'MIN 1 MAX 4 COUNT 4' in esearch[0], esearch
typ, data = m.search('KOI8-R', 'ALL')
assert typ == 'NO' and b'BADCHARSET' in data[0], (typ, data)
try:
    m.search(None, 'BEFORE', 'yesterday'); raise SystemExit('bad date accepted')
except imaplib.IMAP4.error as e:
    assert 'date' in str(e), e
# CONDSTORE: UNCHANGEDSINCE and CHANGEDSINCE
typ, data = m.fetch('1:*', '(MODSEQ)')
modseq = max(int(re.search(rb'MODSEQ \((\d+)\)', d).group(1)) for d in data)
ok(m.store('4', '+FLAGS', '(\\Flagged)'))
typ, data = m._simple_command('STORE', '4', '(UNCHANGEDSINCE %d)' % modseq, '+FLAGS', '(\\Deleted)')
assert typ == 'OK' and b'MODIFIED 4' in data[0], (typ, data)
typ, data = m.fetch('1:*', '(FLAGS) (CHANGEDSINCE %d)' % modseq)
assert len([d for d in data if d]) == 1 and data[0].startswith(b'4 '), data
# COPY / MOVE with COPYUID
typ, data = m.copy('1', 'Archive')
assert typ == 'OK' and b'COPYUID' in data[0], data
typ, data = m._simple_command('MOVE', '2', 'Trash')
assert typ == 'OK', data
assert untagged(m, 'EXPUNGE') == [b'2'], 'MOVE reports EXPUNGE'
typ, data = m.copy('1', 'Nowhere')
assert typ == 'NO' and b'TRYCREATE' in data[0], data
# EXPUNGE and UID EXPUNGE
ok(m.store('1', '+FLAGS', '(\\Deleted)'))
ok(m.store('2', '+FLAGS', '(\\Deleted)'))
typ, data = m.uid('EXPUNGE', str(uids[0]))
assert untagged(m, 'EXPUNGE') == [b'1'], 'UID EXPUNGE only the named UID'
typ, data = m.expunge()
assert data == [b'1'], data
typ, data = m.search(None, 'ALL')
assert data == [b'1'], data
ok(m.check())
ok(m._simple_command('UNSELECT'))
typ, data = m.select('Work', readonly=True)
assert typ == 'OK'
typ, data = m.store('1', '+FLAGS', '(\\Seen)')
assert typ == 'NO', data
ok(m.close())
# QRESYNC: VANISHED (EARLIER) on SELECT
ok(m._simple_command('ENABLE', 'QRESYNC'))
typ, data = m.status('Work', '(UIDVALIDITY HIGHESTMODSEQ)')
uv = int(re.search(rb'UIDVALIDITY (\d+)', data[0]).group(1))
typ, data = m._simple_command('SELECT', 'Work', '(QRESYNC (%d 1))' % uv)
assert typ == 'OK', data
vanished = untagged(m, 'VANISHED')
assert vanished and vanished[0].startswith(b'(EARLIER)'), vanished
m.logout()
print('done')
`,
    { MULTIPART },
  );
  assert.match(out, /done/u);
});

test('isolation: one user never sees another user\'s mailboxes or messages', async () => {
  await fixture.deliver(BOB, 'Subject: for bob only\r\n\r\nsecret\r\n', 'Private');
  const out = await python(PRELUDE + String.raw`
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['TLS_PORT']), ssl_context=ctx)
ok(m.login(os.environ['USER_A'], os.environ['PASSWORD']))
typ, data = m.list('""', '*')
assert not any(b'Private' in d for d in data), data
typ, data = m.select('Private')
assert typ == 'NO', data
typ, data = m.status('Private', '(MESSAGES)')
assert typ == 'NO', data
m.select('INBOX')
eq(m.search(None, 'TEXT', 'secret')[1], [b'']), 'found bob\'s message'
m.logout()
b = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['TLS_PORT']), ssl_context=ctx)
ok(b.login(os.environ['USER_B'], os.environ['PASSWORD']))
typ, data = b.select('Private')
assert data == [b'1'], data
print('done')
`);
  assert.match(out, /done/u);
});

test('AUTHENTICATE PLAIN with and without SASL-IR; wrong passwords are refused', async () => {
  await python(PRELUDE + String.raw`
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['TLS_PORT']), ssl_context=ctx)
cred = ('\0%s\0%s' % (os.environ['USER_A'], os.environ['PASSWORD'])).encode()
typ, data = m.authenticate('PLAIN', lambda _: cred)
assert typ == 'OK', data
m.logout()
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['TLS_PORT']), ssl_context=ctx)
typ, data = m._simple_command('AUTHENTICATE', 'PLAIN', base64.b64encode(cred).decode())
assert typ == 'OK', data
m.logout()
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['TLS_PORT']), ssl_context=ctx)
try:
    m.login(os.environ['USER_A'], 'wrong password'); raise SystemExit('wrong password accepted')
except imaplib.IMAP4.error as e:
    assert 'AUTHENTICATIONFAILED' in str(e), e
`);
});
