// IMAP end to end with imapflow (the client library most Node mail apps use), over real sockets.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { ALICE, PASSWORD, sampleMessage, startFixture, type ImapFixture } from './imap-fixture.js';

let fixture: ImapFixture;
before(async () => {
  fixture = await startFixture();
});
after(async () => fixture.close());

function client(options: { secure?: boolean; user?: string } = {}): ImapFlow {
  const secure = options.secure ?? true;
  return new ImapFlow({
    host: '127.0.0.1',
    port: secure ? fixture.tlsPort : fixture.port,
    secure,
    tls: { rejectUnauthorized: false },
    auth: { user: options.user ?? ALICE, pass: PASSWORD },
    logger: false,
  });
}

test('login over implicit TLS lists the default special-use mailboxes', async () => {
  const imap = client();
  await imap.connect();
  const mailboxes = await imap.list();
  const byName = new Map(mailboxes.map((m) => [m.path, m]));
  for (const name of ['INBOX', 'Sent', 'Drafts', 'Trash', 'Junk', 'Archive']) assert.ok(byName.has(name), name);
  assert.equal(byName.get('Sent')?.specialUse, '\\Sent');
  assert.equal(byName.get('Trash')?.specialUse, '\\Trash');
  await imap.logout();
});

test('append, fetch envelope and body, flags, search, copy, move, expunge', async () => {
  const imap = client();
  await imap.connect();
  const appended = await imap.append('INBOX', sampleMessage('Quarterly report', 'Numbers are up.\r\n'), ['\\Flagged']);
  const uid = appended && appended.uid;
  assert.ok(typeof uid === 'number' && uid > 0);
  const lock = await imap.getMailboxLock('INBOX');
  try {
    const message = await imap.fetchOne(String(uid), { envelope: true, flags: true, bodyStructure: true, source: true, size: true }, { uid: true });
    assert.ok(message);
    assert.equal(message.envelope?.subject, 'Quarterly report');
    assert.equal(message.envelope?.from?.[0]?.address, 'carol@example.org');
    assert.ok(message.flags?.has('\\Flagged'));
    assert.equal(message.bodyStructure?.type, 'text/plain');
    assert.match(message.source?.toString() ?? '', /Numbers are up\./u);
    assert.equal(message.size, message.source?.length);
    // BODY.PEEK did not set \Seen; a non-peek fetch does.
    const before = await imap.fetchOne(String(uid), { flags: true }, { uid: true });
    assert.ok(before && !before.flags?.has('\\Seen'));
    const found = await imap.search({ subject: 'quarterly' }, { uid: true });
    assert.deepEqual(found, [uid]);
    assert.deepEqual(await imap.search({ body: 'numbers are' }, { uid: true }), [uid]);
    assert.deepEqual(await imap.search({ subject: 'nothing like it' }, { uid: true }), []);
    await imap.messageFlagsAdd(String(uid), ['\\Seen', '$Important'], { uid: true });
    const flagged = await imap.fetchOne(String(uid), { flags: true }, { uid: true });
    assert.ok(flagged && flagged.flags?.has('\\Seen') && flagged.flags.has('$Important'));
    const copied = await imap.messageCopy(String(uid), 'Archive', { uid: true });
    assert.equal(copied && copied.uidMap?.size, 1);
    const moved = await imap.messageMove(String(uid), 'Trash', { uid: true });
    assert.equal(moved && moved.uidMap?.size, 1);
    const remaining = await imap.search({ all: true }, { uid: true });
    assert.ok(Array.isArray(remaining) && !remaining.includes(uid));
  } finally {
    lock.release();
  }
  const trash = await imap.status('Trash', { messages: true, uidNext: true });
  assert.equal(trash && trash.messages, 1);
  await imap.logout();
});

test('STARTTLS on the plaintext port, then login', async () => {
  const imap = client({ secure: false });
  await imap.connect();
  assert.ok(imap.secureConnection || (imap as unknown as { socket: { encrypted?: boolean } }).socket.encrypted);
  const status = await imap.status('INBOX', { messages: true });
  assert.equal(typeof (status && status.messages), 'number');
  await imap.logout();
});

test('IDLE sees a delivery within a second', async () => {
  const imap = client();
  await imap.connect();
  await imap.mailboxOpen('INBOX');
  const exists = new Promise<{ count: number }>((resolve) => imap.on('exists', resolve));
  const idling = imap.idle();
  // Bounded poll until the server has acknowledged IDLE (imapflow sets `idling` on the continuation).
  for (let i = 0; i < 100 && !(imap as unknown as { idling: boolean }).idling; i++) await new Promise((r) => setTimeout(r, 10));
  const start = Date.now();
  await fixture.deliver(ALICE, sampleMessage('Pushed'));
  const event = await Promise.race([exists, new Promise<null>((resolve) => setTimeout(() => resolve(null), 3_000))]);
  assert.ok(event, 'no EXISTS push within 3 s');
  assert.ok(Date.now() - start < 1_000, `push took ${Date.now() - start} ms`);
  await imap.logout();
  await idling.catch(() => undefined);
});
