// What real clients sent that the engine answered wrongly (found by test/e2e/interop), checked in
// memory against the answers RFC 3501 / 9051 and Dovecot give.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openMemoryImap, type MemoryImap } from './memory-session.js';

let imap: MemoryImap;

before(async () => {
  imap = await openMemoryImap();
});
after(async () => {
  await imap.close();
});

test('a mailbox name that is not modified UTF-7 gets NO [CANNOT], not BAD, and the session goes on (mbsync 1.4)', async () => {
  const a = imap.client();
  await a.send('1 LOGIN ann@example.test "a long password"');
  // mbsync 1.4 sends local folder names as raw UTF-8; a BAD makes it drop the whole connection.
  assert.match(await a.send('2 CREATE "日本語"'), /^2 NO \[CANNOT\] CREATE: mailbox name is not valid modified UTF-7/mu);
  assert.match(await a.send('3 SELECT "a&b"'), /^3 NO \[CANNOT\] /mu);
  assert.match(await a.send('4 STATUS "&Jjo" (MESSAGES)'), /^4 NO \[CANNOT\] /mu);
  const body = 'Subject: x\r\n\r\nx\r\n';
  assert.match(await a.send(`5 APPEND "日本語" {${body.length}+}\r\n${body}`), /^5 NO \[CANNOT\] /mu);
  assert.match(await a.send('6 CREATE "&ZeVnLIqe-"'), /^6 OK/mu);
  // Syntax errors stay BAD.
  assert.match(await a.send('7 CREATE'), /^7 BAD \[CLIENTBUG\] /mu);
});

test('a parent that is no mailbox is listed as \\Noselect (\\NonExistent in extended LIST), so "%" walks reach its children', async () => {
  const a = imap.client();
  await a.send('1 LOGIN ann@example.test "a long password"');
  assert.match(await a.send('2 CREATE Projects/2026'), /^2 OK/mu);
  // RFC 3501 §6.3.4: deleting a mailbox with inferiors leaves its name as a \Noselect level.
  assert.match(await a.send('3 DELETE Projects'), /^3 OK/mu);
  const top = await a.send('4 LIST "" "%"');
  assert.match(
    top,
    /^\* LIST \(\\Noselect \\HasChildren\) "\/" "Projects"\r$/mu,
    'RFC 3501 §6.3.8: levels that are not mailboxes are \\Noselect',
  );
  assert.doesNotMatch(top, /Projects\/2026/u);
  assert.match(await a.send('5 LIST "" "Projects/%"'), /^\* LIST \(\\HasNoChildren\) "\/" "Projects\/2026"\r$/mu);
  const all = await a.send('6 LIST "" "*"');
  assert.ok(all.indexOf('"Projects"') < all.indexOf('"Projects/2026"'), 'parents before their children, as Dovecot lists them');
  assert.match(
    await a.send('7 LIST "" "%" RETURN (CHILDREN)'),
    /^\* LIST \(\\NonExistent \\HasChildren\) "\/" "Projects"\r$/mu,
    'RFC 5258 §3',
  );
  assert.doesNotMatch(await a.send('8 LIST (SUBSCRIBED) "" "*"'), /"Projects"/u);
  assert.doesNotMatch(
    await a.send('9 LIST "" "*" RETURN (STATUS (MESSAGES))'),
    /STATUS "Projects" /u,
    'no STATUS for a name that is no mailbox',
  );
  assert.match(await a.send('10 SELECT Projects'), /^10 NO \[NONEXISTENT\]/mu);
  // Modified UTF-7 applies to the made-up level too.
  assert.match(await a.send('11 CREATE &ZeVnLIqe-/&U9dP4Q-'), /^11 OK/mu);
  assert.match(await a.send('12 DELETE &ZeVnLIqe-'), /^12 OK/mu);
  assert.match(await a.send('13 LIST "" "%"'), /^\* LIST \(\\Noselect \\HasChildren\) "\/" "&ZeVnLIqe-"\r$/mu);
});
