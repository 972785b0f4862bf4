// The AWS AttemptCounter: one small item per key and window in the mailboxes table (which already
// expires items by TTL), under the `attempts#` key prefix, so every task behind the NLB shares the
// counts. A failure is one atomic UpdateItem ADD; a check is one Query reading both windows.
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { attemptWindowOf, type AttemptCounter, type AttemptWindowCounts } from '../../ports/attempt-counter.js';
import { awsCall } from './aws-errors.js';
import { ATTEMPT_KEY_PREFIX, attemptCounterTable, tableName } from './table-design.js';

/** Window numbers zero-padded so that the sort key orders them as numbers (BETWEEN below). */
const windowSortKey = (window: number) => `window#${String(window).padStart(12, '0')}`;

/** Items outlive their use by one window: TTL deletion may lag, and reads never rely on it. */
const EXTRA_WINDOWS_KEPT = 1;

export class DynamoAttemptCounter implements AttemptCounter {
  private readonly table: string;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    tablePrefix: string,
  ) {
    this.table = tableName(tablePrefix, attemptCounterTable);
  }

  async recordFailure(key: string, windowSeconds: number, atMs: number): Promise<void> {
    const window = attemptWindowOf(windowSeconds, atMs);
    // The item is read as "previous" during the next window, so it must live through it.
    const expiresAt = (window + 2 + EXTRA_WINDOWS_KEPT) * windowSeconds;
    await awsCall('count failed attempt', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `${ATTEMPT_KEY_PREFIX}${key}`, sk: windowSortKey(window) },
          UpdateExpression: 'ADD failures :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
          ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiresAt },
        }),
      ),
    );
  }

  async recentFailures(key: string, windowSeconds: number, atMs: number): Promise<AttemptWindowCounts> {
    const window = attemptWindowOf(windowSeconds, atMs);
    // Eventually consistent (half the read cost): a failure a moment old may be missed, by design.
    const result = await awsCall('read failed attempts', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `${ATTEMPT_KEY_PREFIX}${key}`, ':from': windowSortKey(window - 1), ':to': windowSortKey(window) },
          ProjectionExpression: 'sk, failures',
        }),
      ),
    );
    const counts = { current: 0, previous: 0 };
    for (const item of result.Items ?? []) {
      if (item.sk === windowSortKey(window)) counts.current = Number(item.failures ?? 0);
      else counts.previous = Number(item.failures ?? 0);
    }
    return counts;
  }
}
