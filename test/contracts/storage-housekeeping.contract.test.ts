// StorageHousekeeping contract, run by the real StorageHousekeeper over the real blob store: a blob
// is freed once nothing references it (expunge, mailbox delete), kept while a copy or a moved message
// still does, kept when its reference comes back before the sweep, never referenced again once a
// sweep has claimed it, and a sweep interrupted after its claim is finished by the next one. Pruned
// expunge memory never hides an expunge from QRESYNC (RFC 7162 §3.2.5.2).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../core/log/logger.js';
import { isStorageError, type Storage } from '../../core/ports/index.js';
import { StorageHousekeeper } from '../../core/storage/storage-housekeeper.js';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';
import { freshUserId, sampleMessage } from './support/fixtures.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Sweeps as production does, but with the given grace; its clock runs a second ahead so "now" is past every record. */
function housekeeper(storage: Storage, blobGraceMs: number): StorageHousekeeper {
  const settings = { blobGraceMs, expungedUidRetentionMs: 90 * DAY_MS, idempotencyRetentionMs: 30 * DAY_MS, intervalMs: 0 };
  return new StorageHousekeeper(storage, settings, silentLogger, () => Date.now() + 1_000);
}

for (const set of adapterSets) {
  describe(`StorageHousekeeping contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    let storage: Storage;
    before(async () => {
      opened = await set.open();
      storage = opened.storage;
    });
    after(async () => {
      await opened.cleanup();
    });

    /** A real blob, and a mailbox message pointing at it. */
    async function storedMessage(mailboxId: string, blobKey?: string) {
      const key =
        blobKey ??
        (
          await storage.blobs.put(
            (async function* () {
              yield Buffer.from(`Subject: ${randomUUID()}\r\n\r\nbody\r\n`);
            })(),
            { prefix: 'msg/' },
          )
        ).key;
      const { uid } = await storage.mailIndex.appendMessage(mailboxId, sampleMessage({ blobKey: key }));
      return { uid, blobKey: key };
    }

    async function expungeUids(mailboxId: string, uids: number[]) {
      await storage.mailIndex.updateFlags(mailboxId, { uids, operation: 'add', flags: ['\\Deleted'] });
      return storage.mailIndex.expunge(mailboxId, uids);
    }

    const exists = async (blobKey: string) => (await storage.blobs.head(blobKey)) !== null;

    test('expunging the only reference frees the blob after the grace period, not before', async () => {
      const inbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
      const gone = await storedMessage(inbox.id);
      const kept = await storedMessage(inbox.id);
      await expungeUids(inbox.id, [gone.uid]);
      await housekeeper(storage, HOUR_MS).sweep();
      assert.ok(await exists(gone.blobKey), 'still inside the grace period');
      const report = await housekeeper(storage, 0).sweep();
      assert.ok(report.blobsFreed >= 1);
      assert.equal(await exists(gone.blobKey), false);
      assert.ok(await exists(kept.blobKey), 'a referenced blob stays');
      assert.equal((await storage.mailIndex.getMessages(inbox.id, [kept.uid])).length, 1);
    });

    test('expunging one of two references (COPY) keeps the blob; expunging the other frees it', async () => {
      const userId = freshUserId();
      const inbox = await storage.mailIndex.createMailbox(userId, 'INBOX');
      const archive = await storage.mailIndex.createMailbox(userId, 'Archive');
      const message = await storedMessage(inbox.id);
      const { mapping } = await storage.mailIndex.copyMessages(inbox.id, [message.uid], archive.id);
      await expungeUids(inbox.id, [message.uid]);
      await housekeeper(storage, 0).sweep();
      assert.ok(await exists(message.blobKey), 'the copy in Archive still references it');
      const [copy] = await storage.mailIndex.getMessages(archive.id, [mapping[0]!.destinationUid]);
      assert.equal(copy?.blobKey, message.blobKey);
      await expungeUids(archive.id, [mapping[0]!.destinationUid]);
      await housekeeper(storage, 0).sweep();
      assert.equal(await exists(message.blobKey), false);
    });

    test('MOVE keeps the blob; deleting the mailbox it moved to frees it, and only blobs nothing else references', async () => {
      const userId = freshUserId();
      const inbox = await storage.mailIndex.createMailbox(userId, 'INBOX');
      const folder = await storage.mailIndex.createMailbox(userId, 'Folder');
      const moved = await storedMessage(inbox.id);
      const shared = await storedMessage(inbox.id);
      await storage.mailIndex.moveMessages(inbox.id, [moved.uid], folder.id);
      await storage.mailIndex.copyMessages(inbox.id, [shared.uid], folder.id);
      await housekeeper(storage, 0).sweep();
      assert.ok(await exists(moved.blobKey), 'a moved message still references its blob');
      const { blobKeys } = await storage.mailIndex.deleteMailbox(userId, 'Folder');
      assert.deepEqual(blobKeys, [moved.blobKey]);
      await housekeeper(storage, 0).sweep();
      assert.equal(await exists(moved.blobKey), false);
      assert.ok(await exists(shared.blobKey), 'INBOX still references the shared blob');
    });

    test('a reference re-added before the sweep (a delivery to a second recipient) keeps the blob', async () => {
      const userId = freshUserId();
      const first = await storage.mailIndex.createMailbox(userId, 'INBOX');
      const second = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
      const message = await storedMessage(first.id);
      await expungeUids(first.id, [message.uid]); // unreferenced record written
      const again = await storedMessage(second.id, message.blobKey); // the same blob, appended again
      await housekeeper(storage, 0).sweep();
      assert.ok(await exists(message.blobKey));
      assert.equal((await storage.mailIndex.getMessages(second.id, [again.uid]))[0]?.blobKey, message.blobKey);
      await expungeUids(second.id, [again.uid]);
      await housekeeper(storage, 0).sweep();
      assert.equal(await exists(message.blobKey), false);
    });

    test('a claimed blob takes no new reference, and a sweep that stopped after its claim is finished by the next', async () => {
      const inbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
      const message = await storedMessage(inbox.id);
      await expungeUids(inbox.id, [message.uid]);
      const cutoff = new Date(Date.now() + 1_000);
      // A sweep claims, then "crashes" before deleting the blob and forgetting the record.
      const claimed = await storage.housekeeping.claimUnreferencedBlobs(cutoff, 1_000);
      assert.ok(claimed.includes(message.blobKey));
      await assert.rejects(storedMessage(inbox.id, message.blobKey), (error) => isStorageError(error, 'not-found'));
      assert.ok(await exists(message.blobKey), 'nothing deleted yet: at most a leak');
      assert.ok((await storage.housekeeping.claimUnreferencedBlobs(cutoff, 1_000)).includes(message.blobKey), 'claimed again');
      await housekeeper(storage, 0).sweep();
      assert.equal(await exists(message.blobKey), false);
      assert.ok(!(await storage.housekeeping.claimUnreferencedBlobs(cutoff, 1_000)).includes(message.blobKey), 'record forgotten');
    });

    test('after pruning, changesSince never hides an expunge: the UID is listed or the answer says it is partial', async () => {
      const inbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
      const messages = [await storedMessage(inbox.id), await storedMessage(inbox.id), await storedMessage(inbox.id)];
      const before = (await storage.mailIndex.getMailboxById(inbox.id))!.highestModseq;
      const { highestModseq: afterExpunge } = await expungeUids(inbox.id, [messages[0]!.uid]);
      await storage.housekeeping.pruneExpungedUids(new Date(Date.now() + 1_000));
      const old = await storage.mailIndex.changesSince(inbox.id, before);
      assert.ok(!old.vanishedComplete || old.vanished.includes(messages[0]!.uid), 'the pruned expunge is still reported');
      const current = await storage.mailIndex.changesSince(inbox.id, afterExpunge);
      assert.equal(current.vanishedComplete, true, 'nothing newer than the pruned MODSEQ was forgotten');
      // An expunge after the pruning is remembered in full.
      const { highestModseq: later } = await expungeUids(inbox.id, [messages[1]!.uid]);
      const since = await storage.mailIndex.changesSince(inbox.id, afterExpunge);
      assert.deepEqual([since.vanishedComplete, since.vanished], [true, [messages[1]!.uid]]);
      assert.deepEqual((await storage.mailIndex.changesSince(inbox.id, later)).vanished, []);
    });

    test('pruning keeps idempotency keys younger than the cutoff: a redelivery still finds its UID', async () => {
      const inbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
      const message = sampleMessage({ idempotencyKey: `job-${randomUUID()}` });
      const first = await storage.mailIndex.appendMessage(inbox.id, message);
      await storage.housekeeping.pruneIdempotencyKeys(new Date(Date.now() - HOUR_MS));
      const again = await storage.mailIndex.appendMessage(inbox.id, message);
      assert.deepEqual([again.uid, again.duplicate], [first.uid, true]);
    });
  });
}
