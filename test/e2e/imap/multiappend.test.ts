// MULTIAPPEND (RFC 3502) end to end: Python's imaplib sends several messages in one APPEND with raw
// synchronizing and LITERAL+ literals, each with its own flags and date, and gets one APPENDUID with
// a UID set (RFC 4315); raw-socket clients show it is all or none — a refused or abandoned APPEND
// leaves no message and no blob, and nothing is visible before the command completes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { MAX_APPEND_BATCH_MESSAGES } from '../../../core/ports/index.js';
import { eventuallyTrue } from '../../support/eventually.js';
import { localBlobKeys } from '../../support/local-blobs.js';
import { ALICE, BOB, PASSWORD, startFixture, type ImapFixture } from './imap-fixture.js';
import { RawImapClient } from './raw-imap-client.js';

const MAX_MESSAGE_BYTES = 64 * 1024;
let fixture: ImapFixture;
before(async () => {
  fixture = await startFixture({ maxMessageBytes: MAX_MESSAGE_BYTES });
});
after(async () => fixture.close());

async function mailboxState(address: string, name: string): Promise<{ uids: number[]; uidNext: number } | null> {
  const user = await fixture.storage.directory.getUser(address);
  const mailbox = await fixture.storage.mailIndex.getMailbox(user!.id, name);
  return mailbox === null ? null : { uids: await fixture.storage.mailIndex.listUids(mailbox.id), uidNext: mailbox.uidNext };
}

const message = (subject: string, body = 'Hello.') => `From: carol@example.org\r\nSubject: ${subject}\r\n\r\n${body}\r\n`;

test('imaplib: three messages in one APPEND, each with its own flags and date, one APPENDUID set', async () => {
  const script = String.raw`
import imaplib, os, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['TLS_PORT']), ssl_context=ctx)
m.login(os.environ['USER'], os.environ['PASSWORD'])
assert 'MULTIAPPEND' in m.capabilities, m.capabilities
assert m.create('Multi')[0] == 'OK'
msgs = [os.environ['M%d' % i].encode() for i in range(3)]
# Raw literals: imaplib's append() takes one message. Synchronizing literals wait for "+".
m.send(b'ma1 APPEND Multi (\\Seen) {%d}\r\n' % len(msgs[0]))
assert m.readline().startswith(b'+'), 'first continuation'
m.send(msgs[0] + b' (\\Flagged $Work) "17-Jul-1996 02:44:25 -0700" {%d}\r\n' % len(msgs[1]))
assert m.readline().startswith(b'+'), 'second continuation'
m.send(msgs[1] + b' {%d+}\r\n' % len(msgs[2]) + msgs[2] + b'\r\n')
print(m.readline().decode().strip())
m.select('Multi')
typ, data = m.fetch('1:*', '(UID FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
for item in data:
    if isinstance(item, tuple):
        print(item[0].decode().split(' BODY')[0] + '|' + item[1].decode().strip())
m.logout()
`;
  const { stdout } = await promisify(execFile)('python3', ['-c', script], {
    env: { ...process.env, TLS_PORT: String(fixture.tlsPort), USER: ALICE, PASSWORD, M0: message('one'), M1: message('two'), M2: message('three') },
  });
  const lines = stdout.trim().split('\n');
  const appendUid = /^ma1 OK \[APPENDUID (\d+) 1:3\] /u.exec(lines[0]!);
  assert.ok(appendUid, lines[0]);
  assert.match(lines[1]!, /^1 \(UID 1 FLAGS \(\\Seen \\Recent\) INTERNALDATE "[^"]+"\|Subject: one$/u);
  assert.match(lines[2]!, /^2 \(UID 2 FLAGS \(\\Flagged \$Work \\Recent\) INTERNALDATE "17-Jul-1996 09:44:25 \+0000"\|Subject: two$/u);
  assert.match(lines[3]!, /^3 \(UID 3 FLAGS \(\\Recent\) INTERNALDATE "[^"]+"\|Subject: three$/u);
  const user = await fixture.storage.directory.getUser(ALICE);
  assert.equal(Number(appendUid[1]), (await fixture.storage.mailIndex.getMailbox(user!.id, 'Multi'))!.uidValidity);
});

test('nothing is visible until the last message is in; a client that leaves mid-way leaves nothing', async () => {
  const watcher = await RawImapClient.connect(fixture.tlsPort);
  await watcher.login(BOB);
  await watcher.write('c CREATE Atomic\r\n');
  await watcher.until(/^c OK/mu);
  await watcher.write('s SELECT Atomic\r\n');
  await watcher.until(/^s OK/mu);
  const blobsBefore = (await localBlobKeys(fixture.dataDir, 'msg/')).sort();
  const client = await RawImapClient.connect(fixture.tlsPort);
  await client.login(BOB);
  const first = message('first');
  await client.write(`a APPEND Atomic {${first.length}+}\r\n${first} (\\Seen) {${4_000}+}\r\nSubject: second\r\n\r\n`);
  // The first message is stored as a blob, but no message row exists while the second arrives.
  await eventuallyTrue(async () => (await localBlobKeys(fixture.dataDir, 'msg/')).length > blobsBefore.length, 'the first blob written');
  assert.deepEqual((await mailboxState(BOB, 'Atomic'))?.uids, []);
  await watcher.write('n NOOP\r\n');
  assert.doesNotMatch(await watcher.until(/^n OK/mu), /EXISTS/u, 'another session sees nothing yet');
  client.socket.destroy();
  await eventuallyTrue(async () => JSON.stringify((await localBlobKeys(fixture.dataDir, 'msg/')).sort()) === JSON.stringify(blobsBefore), 'the blobs deleted');
  assert.deepEqual((await mailboxState(BOB, 'Atomic'))?.uids, []);
  watcher.socket.destroy();
});

test('a refused message refuses the whole APPEND: TOOBIG, OVERQUOTA, a bad tail, too many messages', async () => {
  const client = await RawImapClient.connect(fixture.tlsPort);
  await client.login();
  await client.write('c CREATE Refused\r\n');
  await client.until(/^c OK/mu);
  const blobsBefore = (await localBlobKeys(fixture.dataDir, 'msg/')).sort();
  const one = message('one');

  // Over APPENDLIMIT, synchronizing: refused before its "+", after the first message was received.
  await client.write(`t1 APPEND Refused {${one.length}+}\r\n${one} {${MAX_MESSAGE_BYTES + 1}}\r\n`);
  assert.match(await client.until(/^t1 /mu), /^t1 NO \[TOOBIG\]/mu);

  // Over quota on the third message, though the first two fit.
  const user = await fixture.storage.directory.getUser(ALICE);
  const used = (await fixture.storage.mailIndex.getQuotaUsage(user!.id)).usedBytes;
  await fixture.storage.directory.updateUser(ALICE, { quotaBytes: used + one.length * 2 + 10 });
  try {
    await client.write(`t2 APPEND Refused {${one.length}+}\r\n${one} {${one.length}+}\r\n${one} {${one.length}}\r\n`);
    assert.match(await client.until(/^t2 /mu), /^t2 NO \[OVERQUOTA\]/mu);
  } finally {
    await fixture.storage.directory.updateUser(ALICE, { quotaBytes: 50 * 1024 * 1024 });
  }

  // Text after a message that is neither the next message nor the end of the command.
  await client.write(`t3 APPEND Refused {${one.length}+}\r\n${one} (\\Seen)\r\n`);
  assert.match(await client.until(/^t3 /mu), /^t3 BAD Unexpected text/mu);

  // One more message than one APPEND may carry: every message is LITERAL+, so all of them are read.
  const many = Array.from({ length: MAX_APPEND_BATCH_MESSAGES + 1 }, () => `{${one.length}+}\r\n${one}`).join(' ');
  await client.write(`t4 APPEND Refused ${many}\r\n`);
  assert.match(await client.until(/^t4 /mu), /^t4 NO \[LIMIT\]/mu);

  await client.write('n NOOP\r\n');
  assert.match(await client.until(/^n /mu), /^n OK/mu, 'the connection goes on after each refusal');
  assert.deepEqual((await mailboxState(ALICE, 'Refused'))?.uids, []);
  assert.deepEqual((await localBlobKeys(fixture.dataDir, 'msg/')).sort(), blobsBefore, 'no blob left behind');

  // The same connection then appends two messages fine.
  await client.write(`ok APPEND Refused {${one.length}+}\r\n${one} {${one.length}+}\r\n${one}\r\n`);
  assert.match(await client.until(/^ok /mu), /^ok OK \[APPENDUID \d+ \d+:\d+\]/mu);
  assert.equal((await mailboxState(ALICE, 'Refused'))?.uids.length, 2);
  client.socket.destroy();
});
