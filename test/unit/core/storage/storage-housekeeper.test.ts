// StorageHousekeeper over the local adapters: a blob whose delete fails stays claimed and is freed by
// a later sweep (never forgotten while it exists), pruning respects its retention periods, and
// concurrent sweep() calls share one run.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { openLocalStorage } from '../../../../core/adapters/local/open-local-storage.js';
import { silentLogger } from '../../../../core/log/logger.js';
import type { BlobStore, Storage } from '../../../../core/ports/index.js';
import { StorageHousekeeper, type HousekeepingSettings } from '../../../../core/storage/storage-housekeeper.js';
import { sampleMessage } from '../../../contracts/support/fixtures.js';

const DAY_MS = 86_400_000;
const settings: HousekeepingSettings = {
  blobGraceMs: 0,
  expungedUidRetentionMs: 90 * DAY_MS,
  idempotencyRetentionMs: 30 * DAY_MS,
  intervalMs: 0,
};

let dataDir: string;
let storage: Storage;
before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-housekeeper-'));
  storage = await openLocalStorage({ dataDir });
});
after(async () => {
  await storage.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function expungedBlob(): Promise<string> {
  const inbox = (await storage.mailIndex.getMailbox('user-1', 'INBOX')) ?? (await storage.mailIndex.createMailbox('user-1', 'INBOX'));
  const blob = await storage.blobs.put(Readable.from([Buffer.from('Subject: x\r\n\r\nbody\r\n')]), { prefix: 'msg/' });
  const { uid } = await storage.mailIndex.appendMessage(inbox.id, sampleMessage({ blobKey: blob.key }));
  await storage.mailIndex.updateFlags(inbox.id, { uids: [uid], operation: 'add', flags: ['\\Deleted'] });
  await storage.mailIndex.expunge(inbox.id);
  return blob.key;
}

test('a blob whose delete fails stays claimed and is freed by the next sweep', async () => {
  const key = await expungedBlob();
  let failing = true;
  // The real file store, with its delete failing once (a full disk, a permission problem).
  const blobs: BlobStore = {
    put: (source, options) => storage.blobs.put(source, options),
    get: (blobKey, range) => storage.blobs.get(blobKey, range),
    head: (blobKey) => storage.blobs.head(blobKey),
    delete: (blobKey) => (failing ? Promise.reject(new Error('EIO')) : storage.blobs.delete(blobKey)),
  };
  const clock = () => Date.now() + 1_000;
  const first = await new StorageHousekeeper({ blobs, housekeeping: storage.housekeeping }, settings, silentLogger, clock).sweep();
  assert.deepEqual([first.blobsFreed, first.blobsFailed], [0, 1]);
  assert.notEqual(await storage.blobs.head(key), null);
  failing = false;
  const housekeeper = new StorageHousekeeper({ blobs, housekeeping: storage.housekeeping }, settings, silentLogger, clock);
  const [second, shared] = [housekeeper.sweep(), housekeeper.sweep()];
  assert.equal(second, shared, 'one sweep at a time');
  assert.equal((await second).blobsFreed, 1);
  assert.equal(await storage.blobs.head(key), null);
});

test('expunged UIDs and idempotency keys are pruned only past their retention', async () => {
  const inbox = await storage.mailIndex.createMailbox('user-2', 'INBOX');
  const keyed = sampleMessage({ idempotencyKey: 'job-42' });
  const first = await storage.mailIndex.appendMessage(inbox.id, keyed);
  await storage.mailIndex.updateFlags(inbox.id, { uids: [first.uid], operation: 'add', flags: ['\\Deleted'] });
  await storage.mailIndex.expunge(inbox.id);
  const now = Date.now();
  const young = await new StorageHousekeeper(storage, settings, silentLogger, () => now + DAY_MS).sweep();
  assert.deepEqual([young.expungedUidsPruned, young.idempotencyKeysPruned], [0, 0]);
  assert.equal((await storage.mailIndex.appendMessage(inbox.id, keyed)).duplicate, true);
  const old = await new StorageHousekeeper(storage, settings, silentLogger, () => now + 91 * DAY_MS).sweep();
  assert.ok(old.expungedUidsPruned >= 1 && old.idempotencyKeysPruned >= 1);
  assert.equal((await storage.mailIndex.changesSince(inbox.id, 1)).vanishedComplete, false);
  // Past the redelivery window a key is forgotten: the same job would now append a new message.
  assert.equal((await storage.mailIndex.appendMessage(inbox.id, keyed)).duplicate, false);
});
