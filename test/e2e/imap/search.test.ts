// SEARCH end to end with imapflow and Python's imaplib: header keys answered by the index, TEXT and
// BODY through the lazy text index — on decoded text (base64, quoted-printable, ISO-2022-JP,
// RFC 2047), case-insensitive substrings, Japanese needles, after EXPUNGE, and across the boundary
// between messages the indexer has read and messages delivered after it ran.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { silentLogger } from '../../../core/log/logger.js';
import { TextIndexer } from '../../../core/search/text-indexer.js';
import { ALICE, PASSWORD, startFixture, type ImapFixture } from './imap-fixture.js';

let fixture: ImapFixture;
let indexer: TextIndexer;
before(async () => {
  fixture = await startFixture();
  indexer = new TextIndexer(fixture.storage.textIndex!, fixture.storage.blobs, silentLogger, { batchSize: 2 });
});
after(async () => fixture.close());

const header = (subject: string, from = 'Carol <carol@example.org>') =>
  `From: ${from}\r\nTo: Alice <alice@example.test>\r\nSubject: ${subject}\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n`;
const base64Lines = (text: string | Buffer) => Buffer.from(text).toString('base64').replace(/.{76}/gu, '$&\r\n');

const MESSAGES = {
  plain: `${header('Quarterly Report')}Content-Type: text/plain; charset=utf-8\r\n\r\nThe budget of the Zebra project is final.\r\n`,
  // Subject and display name as RFC 2047 words (会議の議事録, 山田太郎); a base64 UTF-8 body.
  japanese: `${header('=?UTF-8?B?5Lya6K2w44Gu6K2w5LqL6Yyy?=', '=?UTF-8?B?5bGx55Sw5aSq6YOO?= <yamada@example.jp>')}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines('明日の会議は東京本社で行います。ZEBRA crossing.\r\n')}\r\n`,
  // Quoted-printable text with a soft line break, and an attachment whose bytes are not text.
  multipart: `${header('Menu')}Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=C3=A9 cr=C3=A8me and a long li=\r\nne of text\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines('attachment-only-word')}\r\n--b1--\r\n`,
  // 日本語のテキスト in ISO-2022-JP (7bit, escape sequences), the classic Japanese mail charset.
  iso2022: `${header('Legacy charset')}Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n${Buffer.from('1b2442467c4b5c386c244e2546252d253925481b2842', 'hex').toString('latin1')}\r\n`,
};

function client(): ImapFlow {
  return new ImapFlow({ host: '127.0.0.1', port: fixture.tlsPort, secure: true, tls: { rejectUnauthorized: false }, auth: { user: ALICE, pass: PASSWORD }, logger: false });
}

test('SUBJECT, FROM, TEXT and BODY across indexed and not-yet-indexed messages, and after EXPUNGE', async () => {
  const uids = { plain: await fixture.deliver(ALICE, MESSAGES.plain), japanese: await fixture.deliver(ALICE, MESSAGES.japanese) };
  assert.equal(await indexer.drain(), 2);
  // Delivered after the indexer ran: SEARCH must read these two itself.
  Object.assign(uids, { multipart: await fixture.deliver(ALICE, MESSAGES.multipart), iso2022: await fixture.deliver(ALICE, MESSAGES.iso2022) });
  const all = uids as Record<keyof typeof MESSAGES, number>;
  const imap = client();
  await imap.connect();
  const lock = await imap.getMailboxLock('INBOX');
  try {
    const search = (query: Record<string, unknown>) => imap.search(query, { uid: true });
    const expectations: [Record<string, unknown>, number[]][] = [
      [{ subject: 'quarterly REPORT' }, [all.plain]],
      [{ subject: '議事録' }, [all.japanese]],
      [{ from: '山田' }, [all.japanese]],
      [{ from: 'CAROL@example' }, [all.plain, all.multipart, all.iso2022]],
      [{ text: 'zebra' }, [all.plain, all.japanese]],
      [{ body: 'ZEBRA C' }, [all.japanese]],
      [{ body: '東京本社' }, [all.japanese]],
      [{ text: '会議の議事録' }, [all.japanese]], // the decoded Subject is in TEXT …
      [{ body: '会議の議事録' }, []], // … but not in BODY
      [{ body: 'café crème' }, [all.multipart]],
      [{ body: 'long line of' }, [all.multipart]], // QP soft line break undone
      [{ body: 'attachment-only' }, []], // attachments are not text
      [{ body: 'テキスト' }, [all.iso2022]],
      [{ body: 'の' }, [all.japanese, all.iso2022]], // one character: too short for trigrams, read
      [{ text: 'never-there' }, []],
      [{ or: [{ body: 'café' }, { subject: 'quarterly' }] }, [all.plain, all.multipart]],
      [{ seen: false, body: 'zebra' }, [all.plain, all.japanese]],
    ];
    for (const [query, expected] of expectations) assert.deepEqual(await search(query), expected, JSON.stringify(query));

    // Once indexed, the same answers.
    assert.equal(await indexer.drain(), 2);
    for (const [query, expected] of expectations) assert.deepEqual(await search(query), expected, `indexed: ${JSON.stringify(query)}`);

    await imap.messageDelete(String(all.japanese), { uid: true });
    assert.deepEqual(await search({ text: 'zebra' }), [all.plain]);
    assert.deepEqual(await search({ subject: '議事録' }), []);
    assert.deepEqual(await search({ body: '東京' }), []);
  } finally {
    lock.release();
    await imap.logout();
  }
});

test('an indexed message that cannot hold the needle is not read at all', async () => {
  const uid = await fixture.deliver(ALICE, MESSAGES.plain, 'Reading');
  const other = await fixture.deliver(ALICE, MESSAGES.multipart, 'Reading');
  await indexer.drain();
  // Take the non-candidate's blob away: a scan would fail on it, the index never opens it.
  const user = await fixture.storage.directory.getUser(ALICE);
  const mailbox = await fixture.storage.mailIndex.getMailbox(user!.id, 'Reading');
  const [stored] = await fixture.storage.mailIndex.getMessages(mailbox!.id, [other]);
  await fixture.storage.blobs.delete(stored!.blobKey);
  const imap = client();
  await imap.connect();
  const lock = await imap.getMailboxLock('Reading');
  try {
    assert.deepEqual(await imap.search({ body: 'budget of the zebra' }, { uid: true }), [uid]);
  } finally {
    lock.release();
    await imap.logout();
  }
});

test('TEXT and BODY answer from the index alone, exactly as a scan does: common, rare, short and Japanese needles', async () => {
  const body = (text: string) => `${header('Plain')}Content-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`;
  const twoParts = (first: string, second: string) =>
    `${header('Two parts')}Content-Type: multipart/alternative; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\n${first}\r\n--b2\r\nContent-Type: text/plain\r\n\r\n${second}\r\n--b2--\r\n`;
  const raws = {
    plain: body('The budget is ready.'),
    base64: `${header('Encoded')}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines('予算 (budget) の会議は明日です。')}\r\n`,
    quoted: `${header('QP')}Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nThe bud=\r\nget, caf=C3=A9 cr=C3=A8me\r\n`,
    // "bud" ends one part and "get" starts the next: no single text holds "budget".
    split: twoParts('a rare word: xylophone bud', 'get well soon'),
    // A line break inside the word: the text holds "bud\r\nget", not "budget".
    broken: body('bud\r\nget'),
    subjectOnly: `${header('Budget meeting')}Content-Type: text/plain\r\n\r\nnothing here\r\n`,
    // Past the start of the text the index keeps positions for: settled by reading the message.
    late: body(`${'filler '.repeat(400)}and the budget at the end`),
  };
  const uids: Record<string, number> = {};
  for (const [name, raw] of Object.entries(raws)) uids[name] = await fixture.deliver(ALICE, raw, 'Exact');
  const imap = client();
  await imap.connect();
  const lock = await imap.getMailboxLock('Exact');
  try {
    const search = (query: Record<string, unknown>) => imap.search(query, { uid: true });
    const expectations: [Record<string, unknown>, number[]][] = [
      [{ body: 'budget' }, [uids.plain!, uids.base64!, uids.quoted!, uids.late!]], // common: most messages
      [{ text: 'BUDGET' }, [uids.plain!, uids.base64!, uids.quoted!, uids.subjectOnly!, uids.late!]],
      [{ body: 'xylophone' }, [uids.split!]], // rare
      [{ body: 'bud get' }, []],
      [{ body: 'get' }, [uids.plain!, uids.base64!, uids.quoted!, uids.split!, uids.broken!, uids.late!]], // one trigram
      [{ body: 'ge' }, [uids.plain!, uids.base64!, uids.quoted!, uids.split!, uids.broken!, uids.late!]], // too short for the index: read
      [{ body: '予算' }, [uids.base64!]], // two characters: read too
      [{ body: 'の会議は' }, [uids.base64!]],
      [{ body: 'café crème' }, [uids.quoted!]],
      [{ text: 'two parts' }, [uids.split!]],
      [{ not: { body: 'budget' } }, [uids.split!, uids.broken!, uids.subjectOnly!]],
    ];
    for (const [query, expected] of expectations) assert.deepEqual(await search(query), expected, `scanned: ${JSON.stringify(query)}`);
    await indexer.drain();
    for (const [query, expected] of expectations) assert.deepEqual(await search(query), expected, `indexed: ${JSON.stringify(query)}`);
    // Without the blobs a scan would fail: the index answers needles of 3+ characters by itself, except
    // in the long message (kept), whose end it has no positions for.
    const user = await fixture.storage.directory.getUser(ALICE);
    const mailbox = await fixture.storage.mailIndex.getMailbox(user!.id, 'Exact');
    const short = Object.values(uids).filter((uid) => uid !== uids.late);
    for (const stored of await fixture.storage.mailIndex.getMessages(mailbox!.id, short)) await fixture.storage.blobs.delete(stored.blobKey);
    const indexable = ([query]: [Record<string, unknown>, number[]]) => typeof query.body !== 'string' || Array.from(query.body).length >= 3;
    for (const [query, expected] of expectations.filter(indexable)) {
      assert.deepEqual(await search(query), expected, `blobs gone: ${JSON.stringify(query)}`);
    }
  } finally {
    lock.release();
    await imap.logout();
  }
});

test('imaplib: CHARSET UTF-8 SEARCH of Japanese and ASCII needles, classic and UID SEARCH', async () => {
  const plain = await fixture.deliver(ALICE, MESSAGES.plain, 'Py');
  await indexer.drain();
  const japanese = await fixture.deliver(ALICE, MESSAGES.japanese, 'Py');
  const script = String.raw`
import imaplib, os, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['TLS_PORT']), ssl_context=ctx)
m.login(os.environ['USER'], os.environ['PASSWORD'])
m.select('Py')
def uids(*criteria):
    typ, data = m.uid('SEARCH', *criteria)
    assert typ == 'OK', (typ, data)
    return data[0].decode()
print(uids('CHARSET', 'UTF-8', 'BODY', '東京'.encode()))
print(uids('CHARSET', 'UTF-8', 'SUBJECT', '議事'.encode()))
print(uids(None, 'TEXT', 'Zebra'))
print(uids(None, 'FROM', 'carol'))
print(m.search(None, 'BODY', 'budget')[1][0].decode())
m.logout()
`;
  const { stdout } = await promisify(execFile)('python3', ['-c', script], {
    env: { ...process.env, TLS_PORT: String(fixture.tlsPort), USER: ALICE, PASSWORD },
  });
  assert.deepEqual(stdout.trim().split('\n'), [`${japanese}`, `${japanese}`, `${plain} ${japanese}`, `${plain}`, '1']);
});
