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
