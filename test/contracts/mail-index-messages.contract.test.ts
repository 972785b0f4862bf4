// MailIndex contract, message half: append (idempotent; batches all or none), flags with CONDSTORE UNCHANGEDSINCE,
// expunge with remembered VANISHED UIDs, copy/move (UIDPLUS, MOVE), changesSince, quota usage,
// and MODSEQ strictly increasing on every change (RFC 3501, RFC 4315, RFC 6851, RFC 7162).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_APPEND_BATCH_MESSAGES, type MailIndex, isStorageError } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';
import { freshUserId, sampleMessage } from './support/fixtures.js';

async function mailboxWith(index: MailIndex, messages: number, name = 'INBOX') {
  const userId = freshUserId();
  const mailbox = await index.createMailbox(userId, name);
  const uids: number[] = [];
  for (let i = 0; i < messages; i++) uids.push((await index.appendMessage(mailbox.id, sampleMessage({ sizeBytes: 1_000 + i }))).uid);
  return { userId, mailbox, uids };
}

for (const set of adapterSets) {
  describe(`MailIndex messages contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    let index: MailIndex;
    before(async () => {
      opened = await set.open();
      index = opened.storage.mailIndex;
    });
    after(async () => {
      await opened.cleanup();
    });

    test('appends get ascending UIDs and update UIDNEXT, counts and size', async () => {
      const { mailbox } = await mailboxWith(index, 0);
      const first = await index.appendMessage(mailbox.id, sampleMessage({ sizeBytes: 500 }));
      const second = await index.appendMessage(mailbox.id, sampleMessage({ sizeBytes: 700, flags: ['\\Seen'] }));
      assert.deepEqual([first.uid, second.uid], [1, 2]);
      assert.equal(first.uidValidity, mailbox.uidValidity);
      assert.equal(first.duplicate, false);
      assert.ok(second.modseq > first.modseq);
      const after = await index.getMailboxById(mailbox.id);
      assert.equal(after?.uidNext, 3);
      assert.equal(after?.messageCount, 2);
      assert.equal(after?.unseenCount, 1);
      assert.equal(after?.sizeBytes, 1_200);
      assert.equal(after?.highestModseq, second.modseq);
      assert.deepEqual(await index.listUids(mailbox.id), [1, 2]);
    });

    test('stored messages come back with flags, date, size, blob key and structure', async () => {
      const { mailbox } = await mailboxWith(index, 0);
      const message = sampleMessage({
        flags: ['\\Flagged', '$Important'],
        sizeBytes: 4_321,
        internalDate: new Date('2026-05-04T03:02:01.000Z'),
      });
      const { uid, modseq } = await index.appendMessage(mailbox.id, message);
      const [stored] = await index.getMessages(mailbox.id, [uid, 999]);
      assert.ok(stored);
      assert.equal(stored.uid, uid);
      assert.equal(stored.modseq, modseq);
      assert.deepEqual([...stored.flags].sort(), ['$Important', '\\Flagged']);
      assert.equal(stored.internalDate.toISOString(), '2026-05-04T03:02:01.000Z');
      assert.equal(stored.sizeBytes, 4_321);
      assert.equal(stored.blobKey, message.blobKey);
      assert.deepEqual(stored.structure, message.structure);
    });

    test('re-appending with the same idempotency key returns the same UID and adds nothing', async () => {
      const { mailbox, userId } = await mailboxWith(index, 0);
      const message = sampleMessage({ idempotencyKey: 'queue-job-42:alice' });
      const first = await index.appendMessage(mailbox.id, message);
      const again = await index.appendMessage(mailbox.id, { ...message, blobKey: 'msg/other-copy' });
      assert.equal(again.uid, first.uid);
      assert.equal(again.duplicate, true);
      assert.deepEqual(await index.listUids(mailbox.id), [first.uid]);
      assert.equal((await index.getMailboxById(mailbox.id))?.messageCount, 1);
      assert.deepEqual(await index.getQuotaUsage(userId), { usedBytes: message.sizeBytes, messageCount: 1 });
      const other = await index.appendMessage(mailbox.id, sampleMessage({ idempotencyKey: 'queue-job-43:alice' }));
      assert.equal(other.duplicate, false);
      assert.ok(other.uid > first.uid);
    });

    test('concurrent appends with one idempotency key store one copy', async () => {
      const { mailbox } = await mailboxWith(index, 0);
      const message = sampleMessage({ idempotencyKey: 'redelivered-job' });
      const results = await Promise.all(Array.from({ length: 5 }, () => index.appendMessage(mailbox.id, message)));
      assert.equal(new Set(results.map((result) => result.uid)).size, 1);
      assert.equal(results.filter((result) => !result.duplicate).length, 1);
      assert.equal((await index.listUids(mailbox.id)).length, 1);
    });

    test('a batch append adds every message in order, beside concurrent single appends', async () => {
      const { mailbox } = await mailboxWith(index, 1);
      const batch = [sampleMessage({ sizeBytes: 100 }), sampleMessage({ sizeBytes: 200, flags: ['\\Seen'] }), sampleMessage({ sizeBytes: 300 })];
      const [results, single] = await Promise.all([index.appendMessages(mailbox.id, batch), index.appendMessage(mailbox.id, sampleMessage({ sizeBytes: 50 }))]);
      const uids = results.map((result) => result.uid);
      assert.deepEqual(uids, [...uids].sort((a, b) => a - b));
      assert.equal(new Set([...uids, single.uid]).size, 4);
      assert.ok(results.every((result) => result.uidValidity === mailbox.uidValidity && !result.duplicate));
      const stored = await index.getMessages(mailbox.id, uids);
      assert.deepEqual(stored.map((message) => [message.sizeBytes, message.blobKey]), batch.map((message) => [message.sizeBytes, message.blobKey]));
      const after = await index.getMailboxById(mailbox.id);
      assert.equal(after?.messageCount, 5);
      assert.equal(after?.unseenCount, 4);
      assert.equal(after?.highestModseq, Math.max(single.modseq, ...results.map((result) => result.modseq)));
      assert.deepEqual(await index.appendMessages(mailbox.id, []), []);
    });

    test('a batch append is all or none: over quota, nothing of it is added', async () => {
      const userId = freshUserId();
      const inbox = await index.createMailbox(userId, 'INBOX');
      // The first message alone would fit: it must not stay behind when the second does not.
      const refused = index.appendMessages(inbox.id, [sampleMessage({ sizeBytes: 6_000 }), sampleMessage({ sizeBytes: 5_000 })], { quotaLimitBytes: 10_000 });
      await assert.rejects(refused, (error) => isStorageError(error, 'quota-exceeded'));
      assert.deepEqual(await index.listUids(inbox.id), []);
      assert.equal((await index.getMailboxById(inbox.id))?.messageCount, 0);
      assert.deepEqual(await index.getQuotaUsage(userId), { usedBytes: 0, messageCount: 0 });
      const fits = await index.appendMessages(inbox.id, [sampleMessage({ sizeBytes: 6_000 }), sampleMessage({ sizeBytes: 4_000 })], { quotaLimitBytes: 10_000 });
      assert.equal(fits.length, 2);
      await assert.rejects(
        index.appendMessages(inbox.id, Array.from({ length: MAX_APPEND_BATCH_MESSAGES + 1 }, () => sampleMessage())),
        (error) => isStorageError(error, 'invalid'),
      );
      await assert.rejects(index.appendMessages(inbox.id, [sampleMessage({ idempotencyKey: 'job-1' })]), (error) => isStorageError(error, 'invalid'));
      assert.equal((await index.listUids(inbox.id)).length, 2);
    });

    test('MODSEQ strictly increases on every change: append, flags, copy, move, expunge', async () => {
      const { userId, mailbox, uids } = await mailboxWith(index, 3);
      const other = await index.createMailbox(userId, 'Other');
      const seen: number[] = [(await index.getMailboxById(mailbox.id))!.highestModseq];
      const record = (modseq: number) => {
        assert.ok(modseq > seen[seen.length - 1]!, `MODSEQ ${modseq} after ${seen.join(',')}`);
        seen.push(modseq);
      };
      record((await index.appendMessage(mailbox.id, sampleMessage())).modseq);
      record((await index.updateFlags(mailbox.id, { uids: [uids[0]!], operation: 'add', flags: ['\\Seen'] })).highestModseq);
      record((await index.updateFlags(mailbox.id, { uids: [uids[0]!], operation: 'remove', flags: ['\\Seen'] })).highestModseq);
      await index.updateFlags(mailbox.id, { uids: [uids[1]!], operation: 'add', flags: ['\\Deleted'] });
      record((await index.getMailboxById(mailbox.id))!.highestModseq);
      record((await index.expunge(mailbox.id)).highestModseq);
      record((await index.moveMessages(mailbox.id, [uids[2]!], other.id)).sourceHighestModseq);
      const otherBefore = (await index.getMailboxById(other.id))!.highestModseq;
      await index.copyMessages(mailbox.id, [uids[0]!], other.id);
      assert.ok((await index.getMailboxById(other.id))!.highestModseq > otherBefore, 'copy bumps the destination');
      const [message] = await index.getMessages(mailbox.id, [uids[0]!]);
      assert.equal(message?.modseq, seen[3], 'the message carries the MODSEQ of its last change');
    });

    test('flags: add, remove, replace; system flags case-insensitive; no-op stores keep MODSEQ', async () => {
      const { mailbox, uids } = await mailboxWith(index, 2);
      const added = await index.updateFlags(mailbox.id, { uids, operation: 'add', flags: ['\\seen', 'Project-X'] });
      assert.deepEqual(
        added.updated.map((change) => [change.uid, [...change.flags].sort()]),
        uids.map((uid) => [uid, ['Project-X', '\\Seen']]),
      );
      assert.equal((await index.getMailboxById(mailbox.id))?.unseenCount, 0);
      const noop = await index.updateFlags(mailbox.id, { uids, operation: 'add', flags: ['\\Seen'] });
      assert.deepEqual(noop.updated, []);
      assert.equal(noop.highestModseq, added.highestModseq);
      const removed = await index.updateFlags(mailbox.id, { uids: [uids[0]!], operation: 'remove', flags: ['\\SEEN'] });
      assert.deepEqual(removed.updated[0]?.flags, ['Project-X']);
      assert.equal((await index.getMailboxById(mailbox.id))?.unseenCount, 1);
      const replaced = await index.updateFlags(mailbox.id, { uids: [uids[1]!], operation: 'replace', flags: ['\\Answered'] });
      assert.deepEqual(replaced.updated[0]?.flags, ['\\Answered']);
      const listed = await index.listMessages(mailbox.id);
      assert.deepEqual(
        listed.messages.map((message) => [...message.flags].sort()),
        [['Project-X'], ['\\Answered']],
      );
    });

    test('a flag update with a stale UNCHANGEDSINCE is refused for that message (MODIFIED)', async () => {
      const { mailbox, uids } = await mailboxWith(index, 2);
      // The client last saw the mailbox at this MODSEQ; then another session flags the first message.
      const clientView = (await index.getMailboxById(mailbox.id))!.highestModseq;
      await index.updateFlags(mailbox.id, { uids: [uids[0]!], operation: 'add', flags: ['\\Flagged'] });
      const stale = await index.updateFlags(mailbox.id, { uids, operation: 'add', flags: ['\\Seen'], unchangedSince: clientView });
      assert.deepEqual(stale.modified, [uids[0]]);
      assert.deepEqual(
        stale.updated.map((change) => change.uid),
        [uids[1]],
      );
      const [untouched] = await index.getMessages(mailbox.id, [uids[0]!]);
      assert.deepEqual(untouched?.flags, ['\\Flagged']);
      const fresh = await index.updateFlags(mailbox.id, {
        uids: [uids[0]!],
        operation: 'add',
        flags: ['\\Seen'],
        unchangedSince: untouched!.modseq,
      });
      assert.deepEqual(fresh.modified, []);
      assert.equal(fresh.updated.length, 1);
    });

    test('expunge removes only \\Deleted messages (among the given UIDs) and remembers them as vanished', async () => {
      const { mailbox, uids, userId } = await mailboxWith(index, 5);
      const start = (await index.getMailboxById(mailbox.id))!.highestModseq;
      await index.updateFlags(mailbox.id, { uids: [uids[1]!, uids[3]!, uids[4]!], operation: 'add', flags: ['\\Deleted'] });
      const partial = await index.expunge(mailbox.id, [uids[0]!, uids[1]!]);
      assert.deepEqual(
        partial.expunged.map((message) => message.uid),
        [uids[1]],
      );
      const rest = await index.expunge(mailbox.id);
      assert.deepEqual(
        rest.expunged.map((message) => message.uid),
        [uids[3], uids[4]],
      );
      assert.deepEqual(await index.listUids(mailbox.id), [uids[0], uids[2]]);
      const changes = await index.changesSince(mailbox.id, start);
      assert.deepEqual(changes.vanished, [uids[1], uids[3], uids[4]]);
      assert.equal(changes.highestModseq, rest.highestModseq);
      const sinceFirstExpunge = await index.changesSince(mailbox.id, partial.highestModseq);
      assert.deepEqual(sinceFirstExpunge.vanished, [uids[3], uids[4]]);
      const after = await index.getMailboxById(mailbox.id);
      assert.equal(after?.messageCount, 2);
      assert.equal(after?.uidNext, 6, 'expunge never lowers UIDNEXT');
      assert.equal((await index.getQuotaUsage(userId)).messageCount, 2);
      assert.deepEqual((await index.expunge(mailbox.id)).expunged, []);
    });

    test('changesSince lists new and re-flagged messages above a MODSEQ, in UID order', async () => {
      const { mailbox, uids } = await mailboxWith(index, 3);
      const mark = (await index.getMailboxById(mailbox.id))!.highestModseq;
      await index.updateFlags(mailbox.id, { uids: [uids[2]!], operation: 'add', flags: ['\\Seen'] });
      const appended = await index.appendMessage(mailbox.id, sampleMessage());
      const changes = await index.changesSince(mailbox.id, mark);
      assert.deepEqual(
        changes.changed.map((message) => message.uid),
        [uids[2], appended.uid],
      );
      assert.deepEqual(changes.vanished, []);
      assert.equal(changes.highestModseq, appended.modseq);
      assert.deepEqual((await index.changesSince(mailbox.id, changes.highestModseq)).changed, []);
    });

    test('copy assigns new UIDs in the destination in source order and keeps the source', async () => {
      const { userId, mailbox, uids } = await mailboxWith(index, 3);
      await index.updateFlags(mailbox.id, { uids: [uids[0]!], operation: 'add', flags: ['\\Seen', '$Label1'] });
      const destination = await index.createMailbox(userId, 'Archive');
      await index.appendMessage(destination.id, sampleMessage());
      const result = await index.copyMessages(mailbox.id, [uids[2]!, uids[0]!, 999], destination.id);
      assert.equal(result.uidValidity, destination.uidValidity);
      assert.deepEqual(result.mapping, [
        { sourceUid: uids[0], destinationUid: 2 },
        { sourceUid: uids[2], destinationUid: 3 },
      ]);
      const [copied] = await index.getMessages(destination.id, [2]);
      assert.deepEqual([...copied!.flags].sort(), ['$Label1', '\\Seen']);
      assert.deepEqual(await index.listUids(mailbox.id), uids);
      const after = await index.getMailboxById(destination.id);
      assert.equal(after?.messageCount, 3);
      assert.equal(after?.unseenCount, 2);
    });

    test('move copies then expunges the source atomically; the source reports them vanished', async () => {
      const { userId, mailbox, uids } = await mailboxWith(index, 4);
      const destination = await index.createMailbox(userId, 'Trash');
      const mark = (await index.getMailboxById(mailbox.id))!.highestModseq;
      const moved = await index.moveMessages(mailbox.id, [uids[1]!, uids[2]!], destination.id);
      assert.deepEqual(moved.mapping, [
        { sourceUid: uids[1], destinationUid: 1 },
        { sourceUid: uids[2], destinationUid: 2 },
      ]);
      assert.deepEqual(await index.listUids(mailbox.id), [uids[0], uids[3]]);
      assert.deepEqual(await index.listUids(destination.id), [1, 2]);
      assert.deepEqual((await index.changesSince(mailbox.id, mark)).vanished, [uids[1], uids[2]]);
      assert.equal(moved.sourceHighestModseq, (await index.getMailboxById(mailbox.id))?.highestModseq);
      assert.deepEqual(await index.getQuotaUsage(userId), { usedBytes: 1_000 + 1_001 + 1_002 + 1_003, messageCount: 4 });
    });

    test('quota usage follows appends, copies, expunges and deletes; an append over the limit is refused', async () => {
      const userId = freshUserId();
      const inbox = await index.createMailbox(userId, 'INBOX');
      const folder = await index.createMailbox(userId, 'Folder');
      assert.deepEqual(await index.getQuotaUsage(userId), { usedBytes: 0, messageCount: 0 });
      const { uid } = await index.appendMessage(inbox.id, sampleMessage({ sizeBytes: 6_000 }), { quotaLimitBytes: 10_000 });
      await assert.rejects(index.appendMessage(inbox.id, sampleMessage({ sizeBytes: 5_000 }), { quotaLimitBytes: 10_000 }), (error) =>
        isStorageError(error, 'quota-exceeded'),
      );
      assert.deepEqual(await index.listUids(inbox.id), [uid]);
      await index.appendMessage(inbox.id, sampleMessage({ sizeBytes: 4_000 }), { quotaLimitBytes: 10_000 });
      await index.appendMessage(inbox.id, sampleMessage({ sizeBytes: 5_000 }), { quotaLimitBytes: null });
      assert.deepEqual(await index.getQuotaUsage(userId), { usedBytes: 15_000, messageCount: 3 });
      await index.copyMessages(inbox.id, [uid], folder.id);
      assert.deepEqual(await index.getQuotaUsage(userId), { usedBytes: 21_000, messageCount: 4 });
      await index.updateFlags(inbox.id, { uids: [uid], operation: 'add', flags: ['\\Deleted'] });
      await index.expunge(inbox.id);
      assert.deepEqual(await index.getQuotaUsage(userId), { usedBytes: 15_000, messageCount: 3 });
      await index.deleteMailbox(userId, 'Folder');
      assert.deepEqual(await index.getQuotaUsage(userId), { usedBytes: 9_000, messageCount: 2 });
    });

    test('operations on an unknown mailbox are not-found', async () => {
      await assert.rejects(index.appendMessage('no-such-mailbox', sampleMessage()), (error) => isStorageError(error, 'not-found'));
      await assert.rejects(index.listMessages('no-such-mailbox'), (error) => isStorageError(error, 'not-found'));
      await assert.rejects(index.updateFlags('no-such-mailbox', { uids: [1], operation: 'add', flags: ['\\Seen'] }), (error) =>
        isStorageError(error, 'not-found'),
      );
      await assert.rejects(index.changesSince('no-such-mailbox', 0), (error) => isStorageError(error, 'not-found'));
    });
  });
}
