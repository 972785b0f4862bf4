// What the AWS adapter set must do beyond the shared contract suite (test/contracts), against
// DynamoDB Local + fauxqs that this file starts: UID allocation under concurrent appends from separate
// clients, idempotent appends, MODSEQ/VANISHED, multipart blobs, structures over 400 KB, SQS
// visibility/redrive, failed-login counts shared by every client, envelopes of structures stored
// before the envelope item, cached IMAP envelopes on message items (and their fallback), and a change
// feed whose reads do not grow with the number of watchers.
import { eventually, eventuallyTrue } from '../../support/eventually.js';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Storage } from '../../../core/ports/index.js';
import { isStorageError } from '../../../core/ports/index.js';
import type { MimePart } from '../../../core/mail/message-structure.js';
import { openAwsStorage } from '../../../core/adapters/aws/open-aws-storage.js';
import { createAwsClients } from '../../../core/adapters/aws/aws-clients.js';
import { messagesTable, structuresTable, tableName } from '../../../core/adapters/aws/table-design.js';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { serializeEnvelope } from '../../../core/mail/imap-envelope.js';
import { AuthThrottle } from '../../../core/auth/auth-throttle.js';
import type { AwsConfig } from '../../../core/config/index.js';
import type { DynamoChangeFeed } from '../../../core/adapters/aws/dynamo-change-feed.js';
import { startAwsEmulators, type AwsEmulators } from '../../support/aws-emulators.js';
import { freshUserId, sampleMessage, sampleStructure } from '../../contracts/support/fixtures.js';
import { chunked, readAll } from '../../contracts/support/streams.js';

const MAX_ATTEMPTS = 2;

describe('AWS adapters on emulators', () => {
  let emulators: AwsEmulators;
  /** Three independent client sets: three containers of one deployment. */
  let clients: Storage[];
  let storage: Storage;
  let config: AwsConfig;

  before(async () => {
    emulators = await startAwsEmulators();
    config = await emulators.createBackend({ maxAttempts: MAX_ATTEMPTS });
    const open = () =>
      openAwsStorage(config, { credentials: emulators.credentials, changeFeed: { pollIntervalMs: 100 }, blobPartBytes: 5 * 1024 * 1024 });
    clients = await Promise.all([open(), open(), open()]);
    storage = clients[0]!;
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await emulators.stop();
  });

  test('concurrent appends from three clients: unique ascending UIDs, and no UID below an observed UIDNEXT appears later', async () => {
    const mailbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
    const perClient = 8;
    let appending = true;
    const violations: string[] = [];
    const observer = (async () => {
      while (appending) {
        const seen = await storage.mailIndex.getMailboxById(mailbox.id);
        const uids = new Set(await storage.mailIndex.listUids(mailbox.id));
        for (let uid = 1; uid < seen!.uidNext; uid++)
          if (!uids.has(uid)) violations.push(`UIDNEXT ${seen!.uidNext} seen but UID ${uid} missing`);
      }
    })();
    const results = await Promise.all(
      clients.flatMap((client) => Array.from({ length: perClient }, () => client.mailIndex.appendMessage(mailbox.id, sampleMessage()))),
    );
    appending = false;
    await observer;
    const total = clients.length * perClient;
    assert.deepEqual(violations, []);
    assert.deepEqual(
      results.map((result) => result.uid).sort((a, b) => a - b),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    // Appends grouped into one transaction share a MODSEQ (RFC 7162 §3.1 allows it); it never falls as UIDs rise.
    const byUid = [...results].sort((a, b) => a.uid - b.uid);
    for (let i = 1; i < byUid.length; i++) assert.ok(byUid[i]!.modseq >= byUid[i - 1]!.modseq && byUid[i]!.modseq > mailbox.highestModseq);
    const after = await storage.mailIndex.getMailboxById(mailbox.id);
    assert.equal(after?.uidNext, total + 1);
    assert.equal(after?.messageCount, total);
    assert.deepEqual(
      await storage.mailIndex.listUids(mailbox.id),
      Array.from({ length: total }, (_, i) => i + 1),
    );
  });

  test('a burst of appends to one mailbox from one client (group commit) gets every UID once and answers repeated keys as duplicates', async () => {
    const mailbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        storage.mailIndex.appendMessage(mailbox.id, sampleMessage({ idempotencyKey: `burst-${i % 30}` })),
      ),
    );
    assert.equal(results.filter((result) => !result.duplicate).length, 30, 'ten repeated keys are duplicates');
    assert.deepEqual(
      [...new Set(results.map((result) => result.uid))].sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.equal((await storage.mailIndex.getMailboxById(mailbox.id))?.messageCount, 30);
  });

  test('the same idempotency key from three clients at once stores one message under one UID', async () => {
    const mailbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
    const message = sampleMessage({ idempotencyKey: 'job-42/rcpt-1' });
    const results = await Promise.all(clients.map((client) => client.mailIndex.appendMessage(mailbox.id, message)));
    assert.equal(new Set(results.map((result) => result.uid)).size, 1);
    assert.equal(results.filter((result) => !result.duplicate).length, 1);
    assert.equal((await storage.mailIndex.getMailboxById(mailbox.id))?.messageCount, 1);
    const again = await storage.mailIndex.appendMessage(mailbox.id, message);
    assert.deepEqual([again.uid, again.duplicate], [results[0]!.uid, true]);
  });

  test('MODSEQ rises on every change; changesSince reports changed and vanished UIDs; stale UNCHANGEDSINCE is refused', async () => {
    const index = storage.mailIndex;
    const mailbox = await index.createMailbox(freshUserId(), 'INBOX');
    const modseqs = [mailbox.highestModseq];
    for (let i = 0; i < 4; i++) modseqs.push((await index.appendMessage(mailbox.id, sampleMessage())).modseq);
    const flagged = await index.updateFlags(mailbox.id, { uids: [1, 2], operation: 'add', flags: ['\\Deleted', '\\Seen'] });
    modseqs.push(flagged.highestModseq);
    const beforeExpunge = flagged.highestModseq;
    const expunged = await index.expunge(mailbox.id);
    modseqs.push(expunged.highestModseq);
    assert.deepEqual(
      expunged.expunged.map((message) => message.uid),
      [1, 2],
    );
    for (let i = 1; i < modseqs.length; i++) assert.ok(modseqs[i]! > modseqs[i - 1]!, `MODSEQ ${modseqs.join(' → ')}`);

    const changes = await index.changesSince(mailbox.id, beforeExpunge - 1);
    assert.deepEqual(changes.vanished, [1, 2]);
    assert.equal(changes.highestModseq, expunged.highestModseq);
    const all = await index.changesSince(mailbox.id, 0);
    assert.deepEqual(
      all.changed.map((message) => message.uid),
      [3, 4],
    );

    // The client last saw both messages at UID 4's MODSEQ; then UID 3 changes behind its back.
    const seenAt = (await index.listMessages(mailbox.id)).messages.find((message) => message.uid === 4)!.modseq;
    await index.updateFlags(mailbox.id, { uids: [3], operation: 'add', flags: ['\\Flagged'] });
    const stale = await index.updateFlags(mailbox.id, { uids: [3, 4], operation: 'add', flags: ['$Label1'], unchangedSince: seenAt });
    assert.deepEqual(stale.modified, [3]);
    assert.deepEqual(
      stale.updated.map((update) => update.uid),
      [4],
    );
    const counts = await index.getMailboxById(mailbox.id);
    assert.deepEqual([counts?.messageCount, counts?.unseenCount], [2, 2]);
  });

  test('listing pages by UID and resolves sequence ranges', async () => {
    const mailbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
    for (let i = 0; i < 12; i++) await storage.mailIndex.appendMessage(mailbox.id, sampleMessage());
    await storage.mailIndex.updateFlags(mailbox.id, { uids: [2, 3], operation: 'add', flags: ['\\Deleted'] });
    await storage.mailIndex.expunge(mailbox.id);
    const uids: number[] = [];
    let afterUid: number | undefined;
    do {
      const page = await storage.mailIndex.listMessages(mailbox.id, { limit: 4, ...(afterUid ? { afterUid } : {}) });
      uids.push(...page.messages.map((message) => message.uid));
      afterUid = page.nextAfterUid ?? undefined;
    } while (afterUid);
    assert.deepEqual(uids, [1, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const bySequence = await storage.mailIndex.listMessages(mailbox.id, { range: { by: 'sequence', from: 2, to: 4 } });
    assert.deepEqual(
      bySequence.messages.map((message) => message.uid),
      [4, 5, 6],
    );
    const pastEnd = await storage.mailIndex.listMessages(mailbox.id, { range: { by: 'sequence', from: 9, to: 1_000 } });
    assert.deepEqual(
      pastEnd.messages.map((message) => message.uid),
      [11, 12],
    );
  });

  test('quota: an append that would pass the limit is refused and usage is unchanged', async () => {
    const userId = freshUserId();
    const mailbox = await storage.mailIndex.createMailbox(userId, 'INBOX');
    await storage.mailIndex.appendMessage(mailbox.id, sampleMessage({ sizeBytes: 600 }), { quotaLimitBytes: 1_000 });
    await assert.rejects(
      storage.mailIndex.appendMessage(mailbox.id, sampleMessage({ sizeBytes: 500 }), { quotaLimitBytes: 1_000 }),
      (error) => isStorageError(error, 'quota-exceeded'),
    );
    assert.deepEqual(await storage.mailIndex.getQuotaUsage(userId), { usedBytes: 600, messageCount: 1 });
  });

  test('copy and move hand out destination UIDs in order and keep counters right', async () => {
    const userId = freshUserId();
    const inbox = await storage.mailIndex.createMailbox(userId, 'INBOX');
    const archive = await storage.mailIndex.createMailbox(userId, 'Archive');
    for (let i = 0; i < 5; i++) await storage.mailIndex.appendMessage(inbox.id, sampleMessage({ flags: i === 0 ? ['\\Seen'] : [] }));
    const copied = await storage.mailIndex.copyMessages(inbox.id, [1, 2], archive.id);
    assert.deepEqual(copied.mapping, [
      { sourceUid: 1, destinationUid: 1 },
      { sourceUid: 2, destinationUid: 2 },
    ]);
    const moved = await storage.mailIndex.moveMessages(inbox.id, [3, 4, 5], archive.id);
    assert.deepEqual(
      moved.mapping.map((pair) => pair.destinationUid),
      [3, 4, 5],
    );
    assert.equal(moved.uidValidity, archive.uidValidity);
    const [source, destination] = await Promise.all([
      storage.mailIndex.getMailboxById(inbox.id),
      storage.mailIndex.getMailboxById(archive.id),
    ]);
    assert.deepEqual([source?.messageCount, source?.unseenCount, destination?.messageCount, destination?.unseenCount], [2, 1, 5, 4]);
    assert.equal(source?.highestModseq, moved.sourceHighestModseq);
    assert.deepEqual((await storage.mailIndex.changesSince(inbox.id, 0)).vanished, [3, 4, 5]);
    assert.deepEqual(await storage.mailIndex.getQuotaUsage(userId), { usedBytes: 7_000, messageCount: 7 });
  });

  test('a cached structure far over the 400 KB item limit is stored in chunks and read back whole', async () => {
    const mailbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
    const base = sampleStructure('many parts', 5_000_000);
    // Random descriptions do not compress: ~900 KB of JSON even gzipped.
    const children: MimePart[] = Array.from({ length: 600 }, (_, i) => ({
      ...base.root,
      headerStart: i,
      description: randomBytes(1_500).toString('base64'),
    }));
    const structure = { ...base, root: { ...base.root, type: 'multipart', subtype: 'mixed', children } };
    const { uid } = await storage.mailIndex.appendMessage(mailbox.id, sampleMessage({ structure }));
    const [stored] = await clients[1]!.mailIndex.getMessages(mailbox.id, [uid]);
    assert.deepEqual(stored?.structure, structure);
  });

  test('a structure stored before envelopes had their own item still yields its envelope', async () => {
    const mailbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
    const message = sampleMessage({ structure: sampleStructure('stored long ago', 1_000) });
    const { uid } = await storage.mailIndex.appendMessage(mailbox.id, message);
    const raw = createAwsClients(config, emulators.credentials);
    try {
      const Key = { blobKey: message.blobKey, chunk: -1 };
      await raw.dynamo
        .send(new DeleteCommand({ TableName: tableName(config.tablePrefix, structuresTable), Key, ReturnValues: 'ALL_OLD' }))
        .then((r) => assert.ok(r.Attributes, 'the envelope item existed'));
    } finally {
      raw.destroy();
    }
    const [enveloped] = await clients[1]!.mailIndex.getEnvelopes(mailbox.id, [uid]);
    assert.deepEqual(enveloped?.envelope, message.structure.envelope);
  });

  test('header sync reads the ENVELOPE cached on the message item; items without it (older, or too large) are serialised from the envelope item', async () => {
    const mailbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
    const small = sampleMessage({ structure: sampleStructure('cached on the item', 1_000) });
    const base = sampleStructure('too large for the item', 1_000);
    const to = Array.from({ length: 200 }, (_, i) => ({ name: `Recipient ${i}`, adl: null, mailbox: `r${i}`, host: 'example.test' }));
    const large = sampleMessage({ structure: { ...base, envelope: { ...base.envelope, to } } });
    const older = sampleMessage({ structure: sampleStructure('written before the cache', 1_000) });
    for (const message of [small, large, older]) await storage.mailIndex.appendMessage(mailbox.id, message);
    const raw = createAwsClients(config, emulators.credentials);
    try {
      const messages = tableName(config.tablePrefix, messagesTable);
      const item = async (uid: number) => (await raw.dynamo.send(new GetCommand({ TableName: messages, Key: { mailboxId: mailbox.id, uid } }))).Item;
      assert.equal((await item(1))?.imapEnvelope, serializeEnvelope(small.structure.envelope).text);
      assert.equal((await item(2))?.imapEnvelope, undefined, 'an envelope over the item limit stays off the item');
      await raw.dynamo.send(new UpdateCommand({ TableName: messages, Key: { mailboxId: mailbox.id, uid: 3 }, UpdateExpression: 'REMOVE imapEnvelope' }));
      assert.equal((await item(3))?.imapEnvelope, undefined);
    } finally {
      raw.destroy();
    }
    const served = await clients[1]!.mailIndex.getImapEnvelopes(mailbox.id, [1, 2, 3]);
    assert.deepEqual(
      served.map((m) => m.imapEnvelope),
      [small, large, older].map((m) => serializeEnvelope(m.structure.envelope)),
    );
  });

  test('a blob larger than the part size goes up as a multipart upload and reads back byte-exact', async () => {
    const data = randomBytes(11 * 1024 * 1024 + 123);
    const put = await storage.blobs.put(chunked(data, 64 * 1024), { prefix: 'msg/' });
    assert.equal(put.sha256, createHash('sha256').update(data).digest('hex'));
    assert.deepEqual(await storage.blobs.head(put.key), { sizeBytes: data.length });
    const boundary = 5 * 1024 * 1024;
    const range = { start: boundary - 10, end: 2 * boundary + 10 };
    assert.deepEqual(await readAll(await clients[2]!.blobs.get(put.key, range)), data.subarray(range.start, range.end));
    await assert.rejects(storage.blobs.put(chunked(data, 64 * 1024), { maxBytes: boundary + 1 }), (error) =>
      isStorageError(error, 'invalid'),
    );
  });

  test('SQS: a job not acked within its visibility timeout comes back with attempt 2', async () => {
    const queue = storage.inboundQueue;
    const job = {
      kind: 'inbound',
      messageId: 'm-visibility',
      blobKey: 'spool/x',
      sizeBytes: 1,
      envelope: { mailFrom: '', recipients: [] },
      client: { ip: '127.0.0.1', helo: 'x', tls: false },
      receivedAt: new Date().toISOString(),
    } as const;
    await queue.send(job);
    const [first] = await queue.receive({ maxJobs: 1, visibilityTimeoutSeconds: 1 });
    assert.equal(first?.attempt, 1);
    assert.deepEqual(await queue.receive({ maxJobs: 1, visibilityTimeoutSeconds: 1 }), []);
    const again = await eventually(
      async () => (await queue.receive({ maxJobs: 1, visibilityTimeoutSeconds: 30 }))[0],
      'redelivery',
      15_000,
    );
    assert.equal(again.body.messageId, 'm-visibility');
    assert.equal(again.attempt, 2);
    await queue.ack(again);
  });

  test(`SQS: a job retried ${MAX_ATTEMPTS} times moves to the dead-letter queue and shows in depth()`, async () => {
    const queue = storage.outboundQueue;
    const job = {
      kind: 'outbound',
      messageId: 'm-dead',
      blobKey: 'spool/y',
      sizeBytes: 1,
      envelope: { mailFrom: 'a@b.test', recipients: [] },
      client: { ip: '127.0.0.1', helo: 'x', tls: false },
      receivedAt: new Date().toISOString(),
    } as const;
    await queue.send(job);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const [received] = await queue.receive({ maxJobs: 1, visibilityTimeoutSeconds: 30 });
      assert.equal(received?.attempt, attempt);
      await queue.retry(received!, 0);
    }
    assert.deepEqual(await queue.receive({ maxJobs: 1, visibilityTimeoutSeconds: 30 }), []);
    const depth = await queue.depth();
    assert.deepEqual(depth, { ready: 0, inFlight: 0, delayed: 0, deadLettered: 1 });
    await queue.send(job, { delaySeconds: 60 });
    assert.equal((await queue.depth()).delayed, 1);
  });

  test('change feed: an append on another client wakes every watcher; each poll is one BatchGetItem however many watch', async () => {
    const userId = freshUserId();
    const mailboxes = await Promise.all(['INBOX', 'A', 'B'].map((name) => storage.mailIndex.createMailbox(userId, name)));
    const feed = storage.changes as DynamoChangeFeed;
    const woken = new Map<number, number>();
    const stops = Array.from({ length: 60 }, (_, i) =>
      feed.watch(mailboxes[i % 3]!.id, (change) => {
        if (change.mailboxId === mailboxes[0]!.id && change.highestModseq > mailboxes[0]!.highestModseq) woken.set(i, change.highestModseq);
      }),
    );
    const before = { ...feed.stats };
    const appended = await clients[1]!.mailIndex.appendMessage(mailboxes[0]!.id, sampleMessage());
    await eventuallyTrue(async () => woken.size === 20, 'all 20 INBOX watchers woken', 15_000);
    assert.ok([...woken.values()].every((modseq) => modseq === appended.modseq));
    const polls = feed.stats.polls - before.polls;
    assert.ok(polls >= 1);
    assert.equal(feed.stats.batchGetCalls - before.batchGetCalls, polls, '60 watchers on 3 mailboxes: one BatchGetItem per poll');
    for (const stop of stops) stop();
  });

  test('failed logins on one task count on every task: three throttles, one shared limit', async () => {
    // Three containers, each with its own AuthThrottle (and clear-verdict cache), as on AWS.
    const options = { maxFailuresPerIp: 100, maxFailuresPerUser: 5, windowMs: 300_000, clearVerdictCacheMs: 10_000 };
    const throttles = clients.map((client) => new AuthThrottle(client.attempts, options));
    const user = `guess-${randomBytes(4).toString('hex')}@example.test`;
    for (const throttle of throttles) assert.equal(await throttle.isBlocked('192.0.2.50', user), false);
    // Two failures per task: the guesser spreads its tries over the tasks, as the NLB would.
    for (const [index, throttle] of throttles.entries()) {
      await throttle.recordFailure(`192.0.2.${51 + index}`, user);
      await throttle.recordFailure(`192.0.2.${51 + index}`, user);
    }
    for (const throttle of throttles) assert.equal(await throttle.isBlocked('192.0.2.60', user), true, 'six failures in all pass the limit of five');
    assert.equal(await throttles[0]!.isBlocked('192.0.2.60', `other-${user}`), false);
  });
});
