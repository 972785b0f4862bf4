// Cached MessageStructures in the structures table: gzipped JSON keyed by the blob they describe,
// split into chunks below DynamoDB's 400 KB item limit (a message with thousands of MIME parts can
// exceed it even gzipped). Chunk 0 carries the chunk count and is written last, so a reader never
// sees a partial structure. Chunk 0 also counts the message items that reference the blob (`refs`,
// moved inside the same transactions that add and remove those items), so deleting a mailbox
// reports exactly the blobs no mailbox uses any more; a dropped reference also stamps `releasedAt`
// and `sweepShard`, which put the item into the sparse `unreferenced` index the housekeeper reads,
// and a sweep's `claimedAt` stops any new reference (dynamo-housekeeping.ts). The envelope is also
// kept alone as plain JSON in chunk -1 (~0.5 KB, one read unit), so header sync and SEARCH SUBJECT
// never read the MIME tree.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Envelope, MessageStructure } from '../../mail/message-structure.js';
import { StorageError, isStorageError } from '../../ports/errors.js';
import { awsCall } from './aws-errors.js';
import { batchGetAll, queryAll } from './dynamo-batch.js';
import type { TransactItem } from './dynamo-transactions.js';
import { structuresTable, tableName } from './table-design.js';

/** Well under 400 KB, leaving room for the key and attribute names. */
export const STRUCTURE_CHUNK_BYTES = 350 * 1024;
/** The chunk number of the envelope-only item (structure chunks count up from 0). */
const ENVELOPE_CHUNK = -1;
/**
 * Partitions of the `unreferenced` index: spreads its writes (one per dropped reference) over
 * several partition keys instead of one hot key; the sweeper queries each.
 */
export const SWEEP_SHARDS = 8;

export function sweepShardOf(blobKey: string): string {
  return `shard#${createHash('sha256').update(blobKey).digest()[0]! % SWEEP_SHARDS}`;
}

/** Condition on chunk 0 that a sweep has not claimed the blob for deletion. */
const NOT_CLAIMED = 'attribute_not_exists(claimedAt)';

export class DynamoStructureStore {
  readonly table: string;

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    tablePrefix: string,
  ) {
    this.table = tableName(tablePrefix, structuresTable);
  }

  /** Idempotent: the same blob always has the same structure. */
  async put(blobKey: string, structure: MessageStructure): Promise<void> {
    const packed = gzipSync(JSON.stringify(structure));
    const chunks = Math.max(1, Math.ceil(packed.length / STRUCTURE_CHUNK_BYTES));
    const write = (chunk: number) => {
      const data = packed.subarray(chunk * STRUCTURE_CHUNK_BYTES, (chunk + 1) * STRUCTURE_CHUNK_BYTES);
      if (chunk > 0)
        return awsCall('store message structure', () =>
          this.dynamo.send(new PutCommand({ TableName: this.table, Item: { blobKey, chunk, data } })),
        );
      // An update, not a put: a second append of the same blob must keep its reference count.
      return awsCall('store message structure', () =>
        this.dynamo.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { blobKey, chunk: 0 },
            UpdateExpression: 'SET #data = :data, chunks = :chunks',
            ConditionExpression: NOT_CLAIMED,
            ExpressionAttributeNames: { '#data': 'data' },
            ExpressionAttributeValues: { ':data': data, ':chunks': chunks },
          }),
        ),
      ).catch((error: unknown) => {
        throw isStorageError(error, 'conflict')
          ? new StorageError('not-found', `blob ${blobKey} is being reclaimed`, { cause: error })
          : error;
      });
    };
    const envelope = JSON.stringify(structure.envelope);
    // An envelope too large for one item (thousands of recipients) is read from the chunked structure.
    const writeEnvelope = () =>
      Buffer.byteLength(envelope) > STRUCTURE_CHUNK_BYTES
        ? undefined
        : awsCall('store message envelope', () =>
            this.dynamo.send(new PutCommand({ TableName: this.table, Item: { blobKey, chunk: ENVELOPE_CHUNK, envelope } })),
          );
    await Promise.all([writeEnvelope(), ...Array.from({ length: chunks - 1 }, (_, i) => write(i + 1))]);
    await write(0);
  }

  /**
   * Transaction items that add `count` references to each blob (refused, ConditionalCheckFailed, once
   * a sweep has claimed it), or drop them (negative) and stamp `releasedAt` for the housekeeper.
   */
  referenceUpdates(counts: ReadonlyMap<string, number>, nowMs = Date.now()): TransactItem[] {
    return [...counts].map(([blobKey, count]) => ({ Update: this.#referenceUpdate(blobKey, count, nowMs) }));
  }

  #referenceUpdate(blobKey: string, count: number, nowMs: number) {
    const key = { TableName: this.table, Key: { blobKey, chunk: 0 } };
    if (count >= 0)
      return { ...key, UpdateExpression: 'ADD refs :n', ConditionExpression: NOT_CLAIMED, ExpressionAttributeValues: { ':n': count } };
    return {
      ...key,
      UpdateExpression: 'ADD refs :n SET releasedAt = :now, sweepShard = :shard',
      ExpressionAttributeValues: { ':n': count, ':now': nowMs, ':shard': sweepShardOf(blobKey) },
    };
  }

  /** The blobs among these that nothing references any more. */
  async unreferencedAmong(blobKeys: readonly string[]): Promise<string[]> {
    const heads = await batchGetAll(
      this.dynamo,
      this.table,
      blobKeys.map((blobKey) => ({ blobKey, chunk: 0 })),
      { consistent: true, projection: 'blobKey, refs' },
    );
    return heads.filter((head) => ((head.refs as number | undefined) ?? 0) <= 0).map((head) => head.blobKey as string);
  }

  /**
   * Envelopes of the given blobs. Blobs stored before envelopes had their own item (or with an
   * envelope too large for one) fall back to the whole structure; a blob with neither throws like getMany.
   */
  async getEnvelopes(blobKeys: readonly string[]): Promise<Map<string, Envelope>> {
    const unique = [...new Set(blobKeys)];
    const items = await batchGetAll(
      this.dynamo,
      this.table,
      unique.map((blobKey) => ({ blobKey, chunk: ENVELOPE_CHUNK })),
      { consistent: true },
    );
    const envelopes = new Map(items.map((item) => [item.blobKey as string, JSON.parse(item.envelope as string) as Envelope]));
    const older = unique.filter((blobKey) => !envelopes.has(blobKey));
    if (older.length > 0) for (const [blobKey, structure] of await this.getMany(older)) envelopes.set(blobKey, structure.envelope);
    return envelopes;
  }

  /** Structures of the given blobs; a missing one throws: an indexed message always has one. */
  async getMany(blobKeys: readonly string[]): Promise<Map<string, MessageStructure>> {
    const unique = [...new Set(blobKeys)];
    const heads = await batchGetAll(
      this.dynamo,
      this.table,
      unique.map((blobKey) => ({ blobKey, chunk: 0 })),
      { consistent: true },
    );
    const structures = new Map<string, MessageStructure>();
    await Promise.all(
      heads.map(async (head) => {
        const blobKey = head.blobKey as string;
        const parts = [head.data as Uint8Array];
        if ((head.chunks as number) > 1) {
          const rest = await queryAll(this.dynamo, {
            TableName: this.table,
            ConsistentRead: true,
            KeyConditionExpression: 'blobKey = :b AND chunk > :zero',
            ExpressionAttributeValues: { ':b': blobKey, ':zero': 0 },
          });
          parts.push(...rest.sort((a, b) => (a.chunk as number) - (b.chunk as number)).map((item) => item.data as Uint8Array));
        }
        structures.set(blobKey, JSON.parse(gunzipSync(Buffer.concat(parts)).toString('utf8')) as MessageStructure);
      }),
    );
    for (const blobKey of unique) {
      if (!structures.has(blobKey)) throw new StorageError('not-found', `no cached structure for blob ${blobKey}`);
    }
    return structures;
  }
}
