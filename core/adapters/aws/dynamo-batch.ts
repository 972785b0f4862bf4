// BatchGetItem / BatchWriteItem / paged Query with DynamoDB's limits handled once: 100 keys per get,
// 25 writes per batch, unprocessed items retried with backoff, every page of a Query followed.
import {
  BatchGetCommand,
  BatchWriteCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../../ports/errors.js';
import { awsCall } from './aws-errors.js';

type Item = Record<string, unknown>;

const BATCH_GET_KEYS = 100;
const BATCH_WRITE_ITEMS = 25;
/** Unprocessed items come back under throttling; give up (temporary failure) after this many rounds. */
const MAX_BATCH_ROUNDS = 8;

export const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** attempt)));

export async function batchGetAll(
  dynamo: DynamoDBDocumentClient,
  table: string,
  keys: readonly Item[],
  options: { consistent?: boolean; projection?: string; names?: Record<string, string> } = {},
): Promise<Item[]> {
  const found: Item[] = [];
  for (let offset = 0; offset < keys.length; offset += BATCH_GET_KEYS) {
    let pending: Item[] | undefined = keys.slice(offset, offset + BATCH_GET_KEYS) as Item[];
    for (let round = 0; pending && pending.length > 0; round++) {
      if (round >= MAX_BATCH_ROUNDS) throw new StorageError('unavailable', `batch read of ${table} throttled`);
      if (round > 0) await backoff(round);
      const request = {
        Keys: pending,
        ConsistentRead: options.consistent ?? true,
        ...(options.projection ? { ProjectionExpression: options.projection } : {}),
        ...(options.names ? { ExpressionAttributeNames: options.names } : {}),
      };
      const result = await awsCall(`batch read ${table}`, () => dynamo.send(new BatchGetCommand({ RequestItems: { [table]: request } })));
      found.push(...(result.Responses?.[table] ?? []));
      pending = result.UnprocessedKeys?.[table]?.Keys as Item[] | undefined;
    }
  }
  return found;
}

export async function batchDeleteAll(dynamo: DynamoDBDocumentClient, table: string, keys: readonly Item[]): Promise<void> {
  for (let offset = 0; offset < keys.length; offset += BATCH_WRITE_ITEMS) {
    let pending = keys.slice(offset, offset + BATCH_WRITE_ITEMS).map((Key) => ({ DeleteRequest: { Key } }));
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_BATCH_ROUNDS) throw new StorageError('unavailable', `batch delete in ${table} throttled`);
      if (round > 0) await backoff(round);
      const result = await awsCall(`batch delete ${table}`, () =>
        dynamo.send(new BatchWriteCommand({ RequestItems: { [table]: pending } })),
      );
      pending = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  }
}

/** Every item a Query matches, following LastEvaluatedKey. */
export async function queryAll(dynamo: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await awsCall(`query ${input.TableName}`, () => dynamo.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
