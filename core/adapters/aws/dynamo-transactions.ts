// Optimistic concurrency on DynamoDB: read a mailbox counter, then ONE TransactWriteItems conditioned
// on the counter still holding what was read. A lost race cancels the whole transaction (nothing is
// written) and the caller re-reads and tries again after a short jittered backoff.
import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../../ports/errors.js';
import { awsErrorName, toStorageError } from './aws-errors.js';
import { backoff } from './dynamo-batch.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on items per transaction. */
export const MAX_TRANSACTION_ITEMS = 100;
/** Enough for dozens of concurrent writers on one mailbox; beyond it the caller gets a temporary failure. */
const MAX_OPTIMISTIC_ATTEMPTS = 60;

/** Outcome of one transaction: committed, or cancelled with one reason code per item ('None' = fine). */
export type TransactionOutcome = { readonly committed: true } | { readonly committed: false; readonly reasons: readonly string[] };

export async function transact(dynamo: DynamoDBDocumentClient, items: readonly TransactItem[], what: string): Promise<TransactionOutcome> {
  try {
    await dynamo.send(new TransactWriteCommand({ TransactItems: [...items] }));
    return { committed: true };
  } catch (error) {
    const name = awsErrorName(error);
    if (name === 'TransactionCanceledException') {
      const reasons = ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
        (reason) => reason.Code ?? 'None',
      );
      return { committed: false, reasons };
    }
    if (name === 'TransactionConflictException') return { committed: false, reasons: ['TransactionConflict'] };
    throw toStorageError(error, what);
  }
}

/** True when a cancellation was a lost race (re-read and retry), not a failed business rule. */
export function isLostRace(outcome: TransactionOutcome, counterIndexes: readonly number[]): boolean {
  if (outcome.committed) return false;
  return (
    outcome.reasons.includes('TransactionConflict') ||
    counterIndexes.some((index) => outcome.reasons[index] === 'ConditionalCheckFailed') ||
    outcome.reasons.every((reason) => reason === 'None' || reason === 'TransactionConflict' || reason === 'ThrottlingError')
  );
}

/**
 * Runs `attempt` until it returns a value; `attempt` returns undefined to ask for a retry after a lost
 * race. Throws StorageError('unavailable') when the contention never clears.
 */
export async function retryOnLostRace<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  for (let round = 0; round < MAX_OPTIMISTIC_ATTEMPTS; round++) {
    if (round > 0) await backoff(Math.min(round, 6));
    const result = await attempt();
    if (result !== undefined) return result;
  }
  throw new StorageError('unavailable', `${what}: too much contention, try again`);
}
