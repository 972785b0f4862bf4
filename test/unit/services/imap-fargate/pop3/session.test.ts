// The POP3 session without sockets: lines in, steps out, against real local storage in a temp dir.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { openLocalStorage } from '../../../../../core/adapters/local/open-local-storage.js';
import { AuthThrottle } from '../../../../../core/auth/auth-throttle.js';
import { hashPassword } from '../../../../../core/auth/password.js';
import { silentLogger } from '../../../../../core/log/logger.js';
import { parseMessageStructure } from '../../../../../core/mime/index.js';
import { withChangeNotifications } from '../../../../../core/storage/notifying-mail-index.js';
import type { MailboxChange, Storage } from '../../../../../core/ports/index.js';
import type { Pop3Step } from '../../../../../services/imap-fargate/pop3/commands/types.js';
import { MaildropSessions } from '../../../../../services/imap-fargate/pop3/maildrop-sessions.js';
import { Pop3Session } from '../../../../../services/imap-fargate/pop3/session.js';

const PASSWORD = 'session test password';
let dataDir: string;
let storage: Storage;
let passwordHash: string;
let userCount = 0;

before(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'yubin-pop3-session-'));
  storage = await openLocalStorage({ dataDir });
  await storage.directory.addDomain('example.test');
  passwordHash = await hashPassword(PASSWORD);
});
after(async () => {
  await storage.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A fresh user with `count` messages in INBOX. */
async function userWithMessages(count: number) {
  userCount += 1;
  const address = `user${userCount}@example.test`;
  const user = await storage.directory.addUser({ address, passwordHash });
  const inbox = await storage.mailIndex.createMailbox(user.id, 'INBOX');
  for (let i = 1; i <= count; i += 1) {
    const bytes = Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`);
    const blob = await storage.blobs.put(Readable.from([bytes]));
    const structure = await parseMessageStructure(Readable.from([bytes]));
    await storage.mailIndex.appendMessage(inbox.id, { blobKey: blob.key, sizeBytes: blob.sizeBytes, internalDate: new Date(), structure });
  }
  return { address, user, inbox };
}

function newSession(options: { implicitTls?: boolean } = {}): Pop3Session {
  return new Pop3Session({
    // As the composition root does: index writes publish on the change feed, so IMAP IDLE wakes.
    storage: { ...storage, mailIndex: withChangeNotifications(storage.mailIndex, storage.changes, silentLogger) },
    throttle: new AuthThrottle(storage.attempts),
    maildropSessions: new MaildropSessions(10),
    logger: silentLogger,
    hostname: 'pop.example.test',
    clientIp: '192.0.2.1',
    implicitTls: options.implicitTls ?? true,
    stlsAvailable: !(options.implicitTls ?? true),
  });
}

/** The step's bytes as the shell would send them. */
async function wire(step: Pop3Step): Promise<string> {
  if (step.reply.kind === 'lines') return step.reply.text;
  const pieces: Buffer[] = [];
  for await (const piece of step.reply.body) pieces.push(piece);
  return step.reply.head + Buffer.concat(pieces).toString('latin1');
}

async function say(session: Pop3Session, line: string): Promise<string> {
  return wire(await session.handleLine(line));
}

async function login(session: Pop3Session, address: string): Promise<void> {
  assert.equal(await say(session, `USER ${address}`), '+OK Send PASS\r\n');
  assert.match(await say(session, `PASS ${PASSWORD}`), /^\+OK Logged in/);
}

test('AUTHORIZATION → TRANSACTION → UPDATE, with commands refused in the wrong state', async () => {
  const { address } = await userWithMessages(2);
  const session = newSession();
  assert.equal(session.greeting(), '+OK pop.example.test Yubin POP3 ready\r\n');
  assert.equal(session.state, 'authorization');
  assert.equal(await say(session, 'LIST'), '-ERR Command not valid in this state\r\n');
  assert.equal(await say(session, `PASS ${PASSWORD}`), '-ERR Send USER first\r\n');
  await login(session, address);
  assert.equal(session.state, 'transaction');
  assert.equal(await say(session, 'USER x'), '-ERR Command not valid in this state\r\n');
  assert.equal(await say(session, 'STAT'), '+OK 2 44\r\n');
  assert.equal(await say(session, 'RETR 2'), '+OK 22 octets\r\nSubject: 2\r\n\r\nbody 2\r\n.\r\n');
  const quit = await session.handleLine('QUIT');
  assert.equal(quit.then, 'close');
  assert.equal(session.state, 'update');
});

test('a failed PASS returns to AUTHORIZATION and needs USER again (RFC 1939 §7)', async () => {
  const { address } = await userWithMessages(0);
  const session = newSession();
  await say(session, `USER ${address}`);
  assert.equal(await say(session, 'PASS nope'), '-ERR [AUTH] Authentication failed\r\n');
  assert.equal(await say(session, `PASS ${PASSWORD}`), '-ERR Send USER first\r\n');
  await login(session, address);
  assert.equal(await say(session, 'STAT'), '+OK 0 0\r\n');
  assert.equal(await say(session, 'LIST'), '+OK 0 messages (0 octets)\r\n.\r\n');
});

test('AUTH PLAIN: challenge, cancel, malformed, foreign authorization id, success', async () => {
  const { address } = await userWithMessages(1);
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const session = newSession();
  assert.equal(await say(session, 'AUTH'), '+OK Supported mechanisms follow\r\nPLAIN\r\n.\r\n');
  assert.equal(await say(session, 'AUTH CRAM-MD5'), '-ERR Unsupported authentication mechanism; use PLAIN\r\n');
  assert.equal(await say(session, 'AUTH PLAIN'), '+ \r\n');
  assert.equal(await say(session, '*'), '-ERR Authentication cancelled\r\n');
  assert.equal(await say(session, 'AUTH PLAIN !!notbase64'), '-ERR [AUTH] Malformed SASL PLAIN response\r\n');
  assert.equal(await say(session, `AUTH PLAIN ${b64(`other@example.test\0${address}\0${PASSWORD}`)}`), '-ERR [AUTH] Logging in as another user is not allowed\r\n');
  assert.equal(await say(session, 'AUTH PLAIN'), '+ \r\n');
  assert.match(await say(session, b64(`${address}\0${address}\0${PASSWORD}`)), /^\+OK Logged in; maildrop has 1 messages/);
});

test('before TLS the plaintext port refuses USER, PASS and AUTH PLAIN and offers STLS', async () => {
  const session = newSession({ implicitTls: false });
  assert.match(await say(session, 'USER a@example.test'), /^-ERR \[AUTH\] Plaintext authentication disallowed/);
  assert.match(await say(session, 'PASS secret'), /^-ERR \[AUTH\] Plaintext authentication disallowed/);
  assert.match(await say(session, 'AUTH PLAIN AGEAYg=='), /^-ERR \[AUTH\] Plaintext authentication disallowed/);
  assert.equal(await say(session, 'AUTH'), '+OK Supported mechanisms follow\r\n.\r\n');
  const stls = await session.handleLine('STLS');
  assert.equal(stls.then, 'start-tls');
  session.tlsStarted();
  assert.equal(await say(session, 'USER a@example.test'), '+OK Send PASS\r\n');
});

test('QUIT expunges the DELE-marked UIDs, flags retrieved ones \\Seen, and wakes IMAP watchers', async () => {
  const { address, inbox } = await userWithMessages(3);
  const uids = await storage.mailIndex.listUids(inbox.id);
  const changes: MailboxChange[] = [];
  const unwatch = storage.changes.watch(inbox.id, (change) => changes.push(change));
  try {
    const session = newSession();
    await login(session, address);
    await say(session, 'TOP 1 0');
    await say(session, 'RETR 2');
    assert.equal(await say(session, 'DELE 3'), '+OK Message 3 marked deleted\r\n');
    assert.equal(await say(session, 'LIST'), '+OK 2 messages (44 octets)\r\n1 22\r\n2 22\r\n.\r\n');
    assert.equal(await say(session, 'QUIT'), '+OK Bye; 1 messages deleted\r\n');
    assert.deepEqual(await storage.mailIndex.listUids(inbox.id), uids.slice(0, 2));
    const kept = await storage.mailIndex.listMessages(inbox.id);
    assert.deepEqual(kept.messages.map((m) => m.flags.includes('\\Seen')), [false, true], 'RETR marks \\Seen, TOP does not');
    const highestModseq = (await storage.mailIndex.getMailboxById(inbox.id))?.highestModseq;
    assert.ok(changes.some((change) => change.highestModseq === highestModseq), 'IMAP watchers heard of the expunge');
    const vanished = await storage.mailIndex.changesSince(inbox.id, 0);
    assert.deepEqual(vanished.vanished, [uids[2]]);
  } finally {
    unwatch();
  }
});

test('closing the session without QUIT leaves the maildrop untouched and frees the slot', async () => {
  const { address, inbox, user } = await userWithMessages(2);
  const slots = new MaildropSessions(1);
  const environment = { storage, throttle: new AuthThrottle(storage.attempts), maildropSessions: slots, logger: silentLogger, hostname: 'h', clientIp: '192.0.2.2', implicitTls: true, stlsAvailable: false };
  const session = new Pop3Session(environment);
  await login(session, address);
  await say(session, 'DELE 1');
  assert.equal(slots.acquire(user.id), null, 'the slot is held while the session lives');
  session.close();
  assert.equal((await storage.mailIndex.listUids(inbox.id)).length, 2);
  const release = slots.acquire(user.id);
  assert.notEqual(release, null);
  release?.();
});
