// The sans-IO session with no socket: two sessions on one mailbox see each other's changes at the
// moments RFC 3501 §7.4.1 allows (no EXPUNGE during FETCH/STORE/SEARCH), and QRESYNC gets VANISHED.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openMemoryImap, type MemoryImap } from './memory-session.js';

let imap: MemoryImap;
const client = () => imap.client();

before(async () => {
  imap = await openMemoryImap();
});
after(async () => {
  await imap.close();
});

const message = (n: number) => `Subject: m${n}\r\n\r\nbody ${n}\r\n`;

test('two sessions on one mailbox: EXISTS, FETCH FLAGS and EXPUNGE arrive at the allowed moments', async () => {
  const a = client();
  const b = client();
  assert.match(await a.send('1 LOGIN ann@example.test "a long password"'), /^1 OK \[CAPABILITY /mu);
  assert.match(await b.send('1 LOGIN ann@example.test "a long password"'), /^1 OK/mu);
  await a.send('2 CREATE Shared');
  for (let n = 1; n <= 3; n++) {
    const body = message(n);
    assert.match(await a.send(`3 APPEND Shared {${Buffer.byteLength(body)}+}\r\n${body}`), /^3 OK \[APPENDUID \d+ \d+\]/mu);
  }
  assert.match(await a.send('4 SELECT Shared'), /\* 3 EXISTS/u);
  assert.match(await b.send('4 SELECT Shared'), /\* 3 EXISTS/u);

  // B flags message 2 and expunges message 1; A hears of the flag at once, of the expunge only after FETCH.
  await b.send('5 STORE 2 +FLAGS (\\Flagged)');
  await b.send('6 STORE 1 +FLAGS (\\Deleted)');
  assert.match(await b.send('7 EXPUNGE'), /^\* 1 EXPUNGE\r\n7 OK/mu);
  const duringFetch = await a.send('8 FETCH 1:3 (FLAGS)');
  assert.doesNotMatch(duringFetch, /EXPUNGE/u, 'no EXPUNGE while answering FETCH');
  // A selected first, so the three messages are \Recent in A's session (RFC 3501 §2.3.2).
  assert.match(duringFetch, /\* 2 FETCH \(UID 2 FLAGS \(\\Flagged \\Recent\)\)/u);
  const duringSearch = await a.send('9 SEARCH ALL');
  assert.doesNotMatch(duringSearch, /EXPUNGE/u);
  assert.match(duringSearch, /^\* SEARCH 2 3\r\n/mu, 'sequence numbers stay as the client knows them');
  assert.match(await a.send('10 NOOP'), /^\* 1 EXPUNGE\r\n10 OK/mu);
  // New mail from B's APPEND becomes EXISTS for A on the next command.
  const body = message(4);
  await b.send(`11 APPEND Shared {${Buffer.byteLength(body)}+}\r\n${body}`);
  assert.match(await a.send('12 NOOP'), /\* 3 EXISTS/u);
  assert.match(await a.send('13 UID FETCH 1:* (UID)'), /\* 3 FETCH \(UID 4\)/u);
});

test('QRESYNC sessions get VANISHED instead of EXPUNGE; ENABLE reports what it enabled', async () => {
  const a = client();
  await a.send('1 LOGIN ann@example.test "a long password"');
  assert.match(await a.send('2 ENABLE QRESYNC CONDSTORE X-UNKNOWN'), /^\* ENABLED QRESYNC\r\n/mu);
  assert.match(await a.send('3 SELECT Shared'), /HIGHESTMODSEQ \d+/u);
  await a.send('4 STORE 1:2 +FLAGS.SILENT (\\Deleted)');
  assert.match(await a.send('5 EXPUNGE'), /^\* VANISHED 2:3\r\n5 OK \[HIGHESTMODSEQ \d+\]/mu);
});

test('states and bad input: BAD with a reason, never a crash', async () => {
  const a = client();
  assert.match(await a.send('1 SELECT INBOX'), /^1 BAD \[CLIENTBUG\] Log in first/mu);
  assert.match(await a.send('2 FROB'), /^2 BAD \[CLIENTBUG\] Unknown command FROB/mu);
  assert.match(await a.send('3 LOGIN "unterminated'), /^3 BAD/mu);
  assert.match(await a.send('4 LOGIN ann@example.test wrong-password'), /^4 NO \[AUTHENTICATIONFAILED\]/mu);
  await a.send('5 LOGIN ann@example.test "a long password"');
  assert.match(await a.send('6 FETCH 1 FLAGS'), /^6 BAD \[CLIENTBUG\] Select a mailbox first/mu);
  await a.send('7 SELECT INBOX');
  assert.match(await a.send('8 FETCH 99 FLAGS'), /^8 BAD .*empty/mu);
  assert.match(await a.send('9 FETCH 1:* (BODY[HEADER.FIELDS])'), /^9 BAD/mu);
  assert.match(await a.send('10 UID FETCH 1:* FLAGS'), /^10 OK/mu, 'UID ranges beyond the mailbox are simply empty');
  assert.match(await a.send('11 STORE 1 +FLAGS (\\Bogus)'), /^11 BAD/mu);
  assert.match(await a.send('12 SEARCH CHARSET'), /^12 BAD/mu);
  assert.match(await a.send('13 LOGOUT'), /^\* BYE .*\r\n13 OK/mu);
  assert.equal(a.io.closed, true);
});

test('UTF8=ACCEPT: UTF-8 mailbox names without modified UTF-7; without it, names are modified UTF-7', async () => {
  const a = client();
  await a.send('1 LOGIN ann@example.test "a long password"');
  assert.match(await a.send('2 CREATE &ZeVnLIqe-/&MEp35TCJMFs-'), /^2 OK/mu);
  assert.match(await a.send('3 LIST "" "&ZeVnLIqe-*"'), /\* LIST \(\\HasChildren\) "\/" "&ZeVnLIqe-"\r\n\* LIST \(\\HasNoChildren\) "\/" "&ZeVnLIqe-\/&MEp35TCJMFs-"/u);
  assert.match(await a.send('4 ENABLE UTF8=ACCEPT'), /^\* ENABLED UTF8=ACCEPT/mu);
  assert.match(await a.send('5 LIST "" "日本語/*"'), /\* LIST \(\\HasNoChildren\) "\/" "日本語\/お知らせ"/u);
  assert.match(await a.send('6 SELECT "日本語/お知らせ"'), /^6 OK \[READ-WRITE\]/mu);
});
