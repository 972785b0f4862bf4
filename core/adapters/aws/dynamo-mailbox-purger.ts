// Mailbox deletion on DynamoDB, safe against a crash half-way. Deleting the mailbox items leaves a
// deletion marker in the same transaction (dynamo-mailbox-store.ts `remove`); the purge then deletes
// the message items in transactions that also release their quota and blob references, and drops
// the marker last. A crash anywhere leaves the marker, and the housekeeper finishes the purge
// (DynamoHousekeeping.finishMailboxDeletions). Each message is released exactly once: its delete is
// conditioned on its existence, so two purgers racing on one mailbox cannot both count it.
import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../../ports/errors.js';
import { awsCall } from './aws-errors.js';
import { queryAll } from './dynamo-batch.js';
import { quotaUpdate } from './dynamo-counters.js';
import { countByBlob, MAILBOX_DELETIONS_PK, mailboxDeletionKey, type Item } from './dynamo-mail-items.js';
import type { DynamoStructureStore } from './dynamo-structure-store.js';
import { isLostRace, MAX_TRANSACTION_ITEMS, retryOnLostRace, transact } from './dynamo-transactions.js';

/** Messages per transaction: n deletes + 1 quota + ≤ n blob references. */
const PURGE_BATCH = Math.floor((MAX_TRANSACTION_ITEMS - 1) / 2);

/** What a deletion marker remembers: enough to purge without the (deleted) mailbox items. */
export interface MailboxDeletion {
  readonly mailboxId: string;
  readonly userId: string;
}

export class DynamoMailboxPurger {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly structures: DynamoStructureStore,
    private readonly tables: { readonly mailboxes: string; readonly messages: string },
  ) {}

  /** Deletes every message item of a deleted mailbox, then its marker; returns the blobs left unreferenced. */
  async purge(deletion: MailboxDeletion): Promise<string[]> {
    const released = new Set<string>();
    for (;;) {
      const batch = await this.#nextBatch(deletion.mailboxId);
      if (batch.length === 0) break;
      await this.#release(deletion, batch);
      for (const item of batch) released.add(item.blobKey as string);
    }
    await awsCall('drop mailbox deletion marker', () =>
      this.dynamo.send(new DeleteCommand({ TableName: this.tables.mailboxes, Key: mailboxDeletionKey(deletion.mailboxId) })),
    );
    return this.structures.unreferencedAmong([...released]);
  }

  /** Deletions marked before `deletedBefore`: ones whose purge a crash (or a purge still running) left behind. */
  async pending(deletedBefore: Date): Promise<MailboxDeletion[]> {
    const items = await queryAll(this.dynamo, {
      TableName: this.tables.mailboxes,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'deletedAt < :before',
      ExpressionAttributeValues: { ':pk': MAILBOX_DELETIONS_PK, ':before': deletedBefore.getTime() },
    });
    return items.map((item) => ({ mailboxId: item.mailboxId as string, userId: item.userId as string }));
  }

  async #nextBatch(mailboxId: string): Promise<Item[]> {
    // One page is enough: the caller comes back until the mailbox has no items left.
    const page = await awsCall('read messages to purge', () =>
      this.dynamo.send(
        new QueryCommand({
          TableName: this.tables.messages,
          ConsistentRead: true,
          KeyConditionExpression: 'mailboxId = :m',
          ExpressionAttributeValues: { ':m': mailboxId },
          ProjectionExpression: 'uid, blobKey, sizeBytes',
          Limit: PURGE_BATCH,
        }),
      ),
    );
    return page.Items ?? [];
  }

  async #release(deletion: MailboxDeletion, batch: readonly Item[]): Promise<void> {
    await retryOnLostRace('purge mailbox', async () => {
      const sizeBytes = batch.reduce((sum, item) => sum + (item.sizeBytes as number), 0);
      const outcome = await transact(
        this.dynamo,
        [
          ...batch.map((item) => ({
            Delete: {
              TableName: this.tables.messages,
              Key: { mailboxId: deletion.mailboxId, uid: item.uid },
              ConditionExpression: 'attribute_exists(uid)',
            },
          })),
          quotaUpdate(this.tables.mailboxes, deletion.userId, -sizeBytes, -batch.length),
          ...this.structures.referenceUpdates(countByBlob(batch, -1)),
        ],
        'purge mailbox',
      );
      if (outcome.committed) return true;
      // Another purger took some of these items: this batch is void; the caller reads the rest again.
      if (outcome.reasons.includes('ConditionalCheckFailed')) return true;
      if (isLostRace(outcome, [])) return undefined;
      throw new StorageError('unavailable', `mailbox purge cancelled: ${outcome.reasons.join(',')}`);
    });
  }
}
