// The transaction items that move a mailbox's counters and a user's quota usage. Every mailbox change
// is conditioned on HIGHESTMODSEQ still being the value read: each change bumps it (RFC 7162 §3.1),
// so this one condition serializes appends, flag changes and expunges of one mailbox.
import type { TransactItem } from './dynamo-transactions.js';
import { recordExpunge } from './dynamo-expunge-log.js';
import { expungeLogOf, mailboxKey, quotaKey, type MailboxItem } from './dynamo-mail-items.js';

export interface CounterChange {
  /** UIDs handed out by this change (appends, copies). */
  readonly uidsAllocated?: number;
  readonly messages?: number;
  readonly unseen?: number;
  readonly deleted?: number;
  readonly sizeBytes?: number;
  /** Set when this change writes tombstones (expunge, move out): the time they were written, epoch ms. */
  readonly expungedAtMs?: number;
}

export function mailboxCounterUpdate(table: string, mailbox: MailboxItem, change: CounterChange): TransactItem {
  // The whole log is rewritten under the same HIGHESTMODSEQ condition; an item without one gets one on its first write.
  const log =
    change.expungedAtMs !== undefined
      ? recordExpunge(expungeLogOf(mailbox), mailbox.highestModseq + 1, change.expungedAtMs)
      : mailbox.expungeLog === null
        ? expungeLogOf(mailbox)
        : null;
  return {
    Update: {
      TableName: table,
      Key: mailboxKey(mailbox.id),
      UpdateExpression:
        'SET uidNext = :uidNext, highestModseq = :modseq, messageCount = :messages, unseenCount = :unseen, deletedCount = :deleted, sizeBytes = :size' +
        (log === null ? '' : ', expungeLog = :log'),
      ConditionExpression: 'highestModseq = :seenModseq',
      ExpressionAttributeValues: {
        ...(log === null ? {} : { ':log': log }),
        ':uidNext': mailbox.uidNext + (change.uidsAllocated ?? 0),
        ':modseq': mailbox.highestModseq + 1,
        ':messages': mailbox.messageCount + (change.messages ?? 0),
        ':unseen': mailbox.unseenCount + (change.unseen ?? 0),
        ':deleted': mailbox.deletedCount + (change.deleted ?? 0),
        ':size': mailbox.sizeBytes + (change.sizeBytes ?? 0),
        ':seenModseq': mailbox.highestModseq,
      },
    },
  };
}

/**
 * Adds to the user's usage counter; with a limit, refuses (ConditionalCheckFailed) when the new total
 * would pass it. DynamoDB conditions cannot add, so the limit is compared against `limit - delta`.
 */
export function quotaUpdate(
  table: string,
  userId: string,
  deltaBytes: number,
  deltaMessages: number,
  limitBytes?: number | null,
): TransactItem {
  const limited = limitBytes !== undefined && limitBytes !== null && deltaBytes > 0;
  return {
    Update: {
      TableName: table,
      Key: quotaKey(userId),
      UpdateExpression: 'ADD usedBytes :bytes, messageCount :messages',
      ...(limited ? { ConditionExpression: 'attribute_not_exists(usedBytes) OR usedBytes <= :room' } : {}),
      ExpressionAttributeValues: {
        ':bytes': deltaBytes,
        ':messages': deltaMessages,
        ...(limited ? { ':room': limitBytes - deltaBytes } : {}),
      },
    },
  };
}
