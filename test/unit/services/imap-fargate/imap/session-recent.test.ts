// \Recent in the sans-IO session (RFC 3501 §2.3.2, §6.3.1-2, §6.4.4, §7.3.2): the first read-write
// SELECT after a message arrives holds it as \Recent, nobody else; EXAMINE looks without taking;
// IMAP4rev2 sessions (RFC 9051) never see RECENT at all.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openMemoryImap, PASSWORD, type MemoryClient, type MemoryImap } from './memory-session.js';

let imap: MemoryImap;

before(async () => {
  imap = await openMemoryImap();
});
after(async () => {
  await imap.close();
});

async function loggedIn(): Promise<MemoryClient> {
  const client = imap.client();
  assert.match(await client.send(`1 LOGIN ann@example.test "${PASSWORD}"`), /^1 OK/mu);
  return client;
}

const append = (client: MemoryClient, mailbox: string, n: number) => {
  const body = `Subject: r${n}\r\n\r\nbody ${n}\r\n`;
  return client.send(`A APPEND ${mailbox} {${Buffer.byteLength(body)}+}\r\n${body}`);
};

test('the first SELECT takes \\Recent; later sessions, EXAMINE and new arrivals follow RFC 3501', async () => {
  const a = await loggedIn();
  const b = await loggedIn();
  const watcher = await loggedIn();
  await a.send('2 CREATE Recent1');
  await append(a, 'Recent1', 1);
  await append(a, 'Recent1', 2);
  assert.match(await watcher.send('3 STATUS Recent1 (MESSAGES RECENT)'), /\* STATUS "Recent1" \(MESSAGES 2 RECENT 2\)/u);
  assert.match(await watcher.send('4 EXAMINE Recent1'), /\* 2 RECENT\r\n/u, 'EXAMINE sees unclaimed messages as recent');
  assert.match(await watcher.send('5 STATUS Recent1 (RECENT)'), /RECENT 2\)/u, 'EXAMINE took nothing');

  assert.match(await a.send('6 SELECT Recent1'), /\* 2 EXISTS\r\n\* 2 RECENT\r\n/u);
  assert.match(await a.send('7 FETCH 1:2 (FLAGS)'), /\* 1 FETCH \(FLAGS \(\\Recent\)\)\r\n\* 2 FETCH \(FLAGS \(\\Recent\)\)/u);
  assert.match(await b.send('8 SELECT Recent1'), /\* 2 EXISTS\r\n\* 0 RECENT\r\n/u);
  assert.match(await b.send('9 FETCH 1 (FLAGS)'), /\* 1 FETCH \(FLAGS \(\)\)/u);
  assert.match(await watcher.send('10 STATUS Recent1 (RECENT)'), /RECENT 0\)/u);

  // A third message arrives while both have the mailbox selected: whoever hears of it first holds it.
  await append(watcher, 'Recent1', 3);
  assert.match(await b.send('11 NOOP'), /\* 3 EXISTS\r\n\* 1 RECENT\r\n11 OK/u);
  assert.match(await a.send('12 NOOP'), /\* 3 EXISTS\r\n\* 2 RECENT\r\n12 OK/u);
  assert.match(await b.send('13 SEARCH RECENT'), /^\* SEARCH 3\r\n/mu);
  assert.match(await a.send('14 SEARCH RECENT'), /^\* SEARCH 1 2\r\n/mu);
  await a.send('15 STORE 1 +FLAGS.SILENT (\\Seen \\Recent)');
  assert.match(await a.send('16 SEARCH NEW'), /^\* SEARCH 2\r\n/mu, 'NEW is RECENT UNSEEN');
  assert.match(await a.send('17 SEARCH OLD'), /^\* SEARCH 3\r\n/mu, 'OLD is NOT RECENT');
  assert.match(await a.send('18 FETCH 1 (FLAGS)'), /\* 1 FETCH \(FLAGS \(\\Seen \\Recent\)\)/u, 'clients cannot set or clear \\Recent');

  // A new session gets nothing: every message has been claimed.
  const c = await loggedIn();
  assert.match(await c.send('19 SELECT Recent1'), /\* 0 RECENT\r\n/u);
});

test('IMAP4rev2 sessions never see RECENT and do not take \\Recent from rev1 sessions', async () => {
  const rev2 = await loggedIn();
  await rev2.send('2 CREATE Recent2');
  await append(rev2, 'Recent2', 1);
  assert.match(await rev2.send('3 ENABLE IMAP4rev2'), /\* ENABLED IMAP4rev2/u);
  const selected = await rev2.send('4 SELECT Recent2');
  assert.doesNotMatch(selected, /RECENT/u);
  assert.match(await rev2.send('5 FETCH 1 (FLAGS)'), /\* 1 FETCH \(FLAGS \(\)\)/u);
  await append(rev2, 'Recent2', 2);
  assert.doesNotMatch(await rev2.send('6 NOOP'), /RECENT/u);
  const rev1 = await loggedIn();
  assert.match(await rev1.send('7 SELECT Recent2'), /\* 2 RECENT\r\n/u);
});
