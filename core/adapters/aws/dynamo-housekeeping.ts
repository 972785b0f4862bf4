// StorageHousekeeping on DynamoDB. Unreferenced blobs are found through the structures table's
// sparse `unreferenced` index (chunk-0 items that lost a reference, by shard and `releasedAt`); a
// claim is one conditional UpdateItem (`refs <= 0` → set `claimedAt`), after which no append can
// reference the blob (dynamo-structure-store.ts). Mailbox deletions a crash cut short are finished
// from their markers (dynamo-mailbox-purger.ts). Expunged UIDs and idempotency keys expire by
// DynamoDB TTL (`expiresAt`, table-design.ts), so pruning them here has nothing to do.
import { DeleteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StorageHousekeeping } from '../../ports/housekeeping.js';
import { isStorageError } from '../../ports/errors.js';
import { awsCall, awsErrorName, toStorageError } from './aws-errors.js';
import { batchDeleteAll, queryAll } from './dynamo-batch.js';
import { DynamoMailboxPurger } from './dynamo-mailbox-purger.js';
import { DynamoStructureStore, SWEEP_SHARDS } from './dynamo-structure-store.js';
import { mailboxesTable, messagesTable, structuresTable, tableName } from './table-design.js';

const UNREFERENCED_INDEX = structuresTable.globalSecondaryIndexes[0].indexName;

type ClaimOutcome = 'claimed' | 'referenced' | 'gone';

export class DynamoHousekeeping implements StorageHousekeeping {
  private readonly table: string;
  private readonly purger: DynamoMailboxPurger;

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    tablePrefix: string,
  ) {
    this.table = tableName(tablePrefix, structuresTable);
    this.purger = new DynamoMailboxPurger(dynamo, new DynamoStructureStore(dynamo, tablePrefix), {
      mailboxes: tableName(tablePrefix, mailboxesTable),
      messages: tableName(tablePrefix, messagesTable),
    });
  }

  async claimUnreferencedBlobs(unreferencedBefore: Date, limit: number): Promise<string[]> {
    const claimed: string[] = [];
    for (let shard = 0; shard < SWEEP_SHARDS && claimed.length < limit; shard++) {
      // The index is eventually consistent: it only proposes candidates; the claim decides on the item itself.
      const candidates = await queryAll(this.dynamo, {
        TableName: this.table,
        IndexName: UNREFERENCED_INDEX,
        KeyConditionExpression: 'sweepShard = :shard AND releasedAt < :before',
        ExpressionAttributeValues: { ':shard': `shard#${shard}`, ':before': unreferencedBefore.getTime() },
        Limit: limit - claimed.length,
      });
      for (const candidate of candidates.slice(0, limit - claimed.length)) {
        const blobKey = candidate.blobKey as string;
        if ((await this.claim(blobKey, unreferencedBefore)) === 'claimed') claimed.push(blobKey);
      }
    }
    return claimed;
  }

  /** Claims a blob nothing references; a referenced one leaves the index (a later release puts it back). */
  private async claim(blobKey: string, unreferencedBefore: Date): Promise<ClaimOutcome> {
    const key = { blobKey, chunk: 0 };
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET claimedAt = if_not_exists(claimedAt, :now)',
          ConditionExpression: 'refs <= :zero AND releasedAt < :before',
          ExpressionAttributeValues: { ':now': Date.now(), ':zero': 0, ':before': unreferencedBefore.getTime() },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw toStorageError(error, 'claim blob');
    }
    try {
      await awsCall('settle referenced blob', () =>
        this.dynamo.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: 'REMOVE releasedAt, sweepShard',
            ConditionExpression: 'refs > :zero',
            ExpressionAttributeValues: { ':zero': 0 },
          }),
        ),
      );
      return 'referenced';
    } catch (error) {
      // Neither referenced nor claimable: released again too recently, or already gone; a later sweep looks again.
      if (isStorageError(error, 'conflict')) return 'gone';
      throw error;
    }
  }

  async forgetReclaimedBlobs(blobKeys: readonly string[]): Promise<void> {
    for (const blobKey of blobKeys) {
      const items = await queryAll(this.dynamo, {
        TableName: this.table,
        ConsistentRead: true,
        KeyConditionExpression: 'blobKey = :b',
        ExpressionAttributeValues: { ':b': blobKey },
        ProjectionExpression: 'blobKey, chunk',
      });
      await batchDeleteAll(
        this.dynamo,
        this.table,
        items.filter((item) => item.chunk !== 0).map((item) => ({ blobKey, chunk: item.chunk })),
      );
      // Chunk 0 last: while it stands (claimed), the blob can take no reference and the next sweep finds it.
      await awsCall('forget reclaimed blob', () =>
        this.dynamo.send(
          new DeleteCommand({ TableName: this.table, Key: { blobKey, chunk: 0 }, ConditionExpression: 'attribute_exists(claimedAt)' }),
        ),
      ).catch((error: unknown) => {
        if (!isStorageError(error, 'conflict')) throw error;
      });
    }
  }

  async finishMailboxDeletions(deletedBefore: Date): Promise<{ readonly finished: number }> {
    const deletions = await this.purger.pending(deletedBefore);
    for (const deletion of deletions) await this.purger.purge(deletion);
    return { finished: deletions.length };
  }

  async pruneExpungedUids(): Promise<{ readonly pruned: number }> {
    return { pruned: 0 }; // DynamoDB TTL expires tombstones; DynamoMailIndex reasons about it (dynamo-expunge-log.ts)
  }

  async pruneIdempotencyKeys(): Promise<{ readonly pruned: number }> {
    return { pruned: 0 }; // DynamoDB TTL expires idempotency items (IDEMPOTENCY_RETENTION_SECONDS)
  }
}
