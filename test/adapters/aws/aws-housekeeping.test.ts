// Housekeeping on the AWS adapter set beyond the shared contract: DynamoDB TTL takes tombstones on
// its own, so the mail index must know when VANISHED memory may be partial (a clock moved past the
// retention stands in for time), mailbox items from before the expunge log are treated
// conservatively, a blob that kept a reference leaves the sparse `unreferenced` index, and a mailbox
// deletion a crash cut short is finished from its marker, each message released once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../../../core/adapters/aws/aws-clients.js';
import { DynamoMailboxStore } from '../../../core/adapters/aws/dynamo-mailbox-store.js';
import { openAwsStorage } from '../../../core/adapters/aws/open-aws-storage.js';
import {
  mailboxesTable,
  messagesTable,
  structuresTable,
  tableName,
  VANISHED_RETENTION_SECONDS,
} from '../../../core/adapters/aws/table-design.js';
import type { AwsConfig } from '../../../core/config/index.js';
import type { Storage } from '../../../core/ports/index.js';
import { leaseAwsEmulators } from '../../support/aws-emulators.js';
import { freshUserId, sampleMessage } from '../../contracts/support/fixtures.js';

describe('AWS housekeeping on emulators', () => {
  let release: () => Promise<void>;
  let config: AwsConfig;
  let storage: Storage;
  let clients: ReturnType<typeof createAwsClients>;
  let clockOffsetMs = 0;

  before(async () => {
    const lease = await leaseAwsEmulators();
    release = lease.release;
    config = await lease.emulators.createBackend();
    storage = await openAwsStorage(config, { credentials: lease.emulators.credentials, clock: () => Date.now() + clockOffsetMs });
    clients = createAwsClients(config, lease.emulators.credentials);
  });
  after(async () => {
    clients.destroy();
    await storage.close();
    await release();
  });

  async function expungeOne(mailboxId: string, uid: number) {
    await storage.mailIndex.updateFlags(mailboxId, { uids: [uid], operation: 'add', flags: ['\\Deleted'] });
    return storage.mailIndex.expunge(mailboxId, [uid]);
  }

  test('once tombstones may have expired by TTL, changesSince below their MODSEQ says it is partial', async () => {
    const inbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
    const first = await storage.mailIndex.appendMessage(inbox.id, sampleMessage());
    await storage.mailIndex.appendMessage(inbox.id, sampleMessage());
    const { highestModseq: expunged } = await expungeOne(inbox.id, first.uid);
    clockOffsetMs = 0;
    assert.deepEqual((await storage.mailIndex.changesSince(inbox.id, 1)).vanishedComplete, true);
    clockOffsetMs = (VANISHED_RETENTION_SECONDS + 8 * 86_400) * 1000;
    try {
      assert.equal((await storage.mailIndex.changesSince(inbox.id, 1)).vanishedComplete, false);
      assert.equal((await storage.mailIndex.changesSince(inbox.id, expunged)).vanishedComplete, true);
    } finally {
      clockOffsetMs = 0;
    }
  });

  test('a mailbox item from before the expunge log counts its past as forgotten, fixed at its first write', async () => {
    const inbox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
    await storage.mailIndex.appendMessage(inbox.id, sampleMessage());
    await clients.dynamo.send(
      new UpdateCommand({
        TableName: tableName(config.tablePrefix, mailboxesTable),
        Key: { pk: `mailbox#${inbox.id}`, sk: 'mailbox' },
        UpdateExpression: 'REMOVE expungeLog',
      }),
    );
    const legacy = (await storage.mailIndex.getMailboxById(inbox.id))!.highestModseq;
    assert.equal((await storage.mailIndex.changesSince(inbox.id, legacy - 1)).vanishedComplete, false);
    assert.equal((await storage.mailIndex.changesSince(inbox.id, legacy)).vanishedComplete, true, 'an up-to-date client is not penalised');
    await storage.mailIndex.appendMessage(inbox.id, sampleMessage());
    await storage.mailIndex.appendMessage(inbox.id, sampleMessage());
    const changes = await storage.mailIndex.changesSince(inbox.id, legacy);
    assert.equal(changes.vanishedComplete, true, 'later writes do not move the forgotten MODSEQ');
    assert.equal(changes.changed.length, 2);
  });

  test('a blob that kept a reference leaves the unreferenced index at the next claim', async () => {
    const userId = freshUserId();
    const inbox = await storage.mailIndex.createMailbox(userId, 'INBOX');
    const archive = await storage.mailIndex.createMailbox(userId, 'Archive');
    const message = sampleMessage();
    const { uid } = await storage.mailIndex.appendMessage(inbox.id, message);
    await storage.mailIndex.copyMessages(inbox.id, [uid], archive.id);
    await expungeOne(inbox.id, uid);
    const chunkZero = async () =>
      (
        await clients.dynamo.send(
          new GetCommand({
            TableName: tableName(config.tablePrefix, structuresTable),
            Key: { blobKey: message.blobKey, chunk: 0 },
            ConsistentRead: true,
          }),
        )
      ).Item!;
    assert.equal(typeof (await chunkZero()).releasedAt, 'number', 'the dropped reference put it into the index');
    const claimed = await storage.housekeeping.claimUnreferencedBlobs(new Date(Date.now() + 1_000), 1_000);
    assert.ok(!claimed.includes(message.blobKey));
    const item = await chunkZero();
    assert.deepEqual([item.refs, item.releasedAt, item.sweepShard, item.claimedAt], [1, undefined, undefined, undefined]);
  });

  /** Deletes the mailbox items as deleteMailbox's first step does, then "crashes": its messages stay behind. */
  async function deleteMailboxThenCrash(userId: string, name: string) {
    await new DynamoMailboxStore(clients.dynamo, config.tablePrefix).remove(userId, name);
  }

  async function messageItems(mailboxId: string) {
    const page = await clients.dynamo.send(
      new QueryCommand({
        TableName: tableName(config.tablePrefix, messagesTable),
        ConsistentRead: true,
        KeyConditionExpression: 'mailboxId = :m',
        ExpressionAttributeValues: { ':m': mailboxId },
      }),
    );
    return page.Items ?? [];
  }

  test('a mailbox deletion cut short by a crash is finished by housekeeping: messages, quota and blob references', async () => {
    const userId = freshUserId();
    const inbox = await storage.mailIndex.createMailbox(userId, 'INBOX');
    const folder = await storage.mailIndex.createMailbox(userId, 'Folder');
    const kept = sampleMessage();
    await storage.mailIndex.appendMessage(inbox.id, kept);
    const doomed = [sampleMessage(), sampleMessage(), sampleMessage()];
    for (const message of doomed) await storage.mailIndex.appendMessage(folder.id, message);
    await deleteMailboxThenCrash(userId, 'Folder');
    assert.equal(await storage.mailIndex.getMailboxById(folder.id), null, 'the mailbox is gone for readers at once');
    assert.equal((await messageItems(folder.id)).length, 3, 'the crash left its messages behind');
    assert.equal((await storage.mailIndex.getQuotaUsage(userId)).messageCount, 4);

    const young = await storage.housekeeping.finishMailboxDeletions(new Date(Date.now() - 60_000));
    assert.equal(young.finished, 0, 'a deletion younger than the cut-off may still be running: left alone');
    const { finished } = await storage.housekeeping.finishMailboxDeletions(new Date(Date.now() + 1_000));
    assert.equal(finished, 1);
    assert.equal((await messageItems(folder.id)).length, 0);
    const usage = await storage.mailIndex.getQuotaUsage(userId);
    assert.deepEqual([usage.messageCount, usage.usedBytes], [1, kept.sizeBytes]);
    const claimed = await storage.housekeeping.claimUnreferencedBlobs(new Date(Date.now() + 1_000), 1_000);
    for (const message of doomed) assert.ok(claimed.includes(message.blobKey), 'each purged message released its blob');
    assert.ok(!claimed.includes(kept.blobKey));
    assert.equal((await storage.housekeeping.finishMailboxDeletions(new Date(Date.now() + 1_000))).finished, 0, 'the marker is gone');
  });

  test('two housekeepers finishing the same deletion release each message once', async () => {
    const userId = freshUserId();
    await storage.mailIndex.createMailbox(userId, 'INBOX');
    const folder = await storage.mailIndex.createMailbox(userId, 'Big');
    const messages = Array.from({ length: 130 }, () => sampleMessage());
    for (const message of messages) await storage.mailIndex.appendMessage(folder.id, message);
    await deleteMailboxThenCrash(userId, 'Big');
    const cutOff = new Date(Date.now() + 1_000);
    await Promise.all([storage.housekeeping.finishMailboxDeletions(cutOff), storage.housekeeping.finishMailboxDeletions(cutOff)]);
    assert.equal((await messageItems(folder.id)).length, 0);
    const usage = await storage.mailIndex.getQuotaUsage(userId);
    assert.deepEqual([usage.messageCount, usage.usedBytes], [0, 0]);
  });
});
