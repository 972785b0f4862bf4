// COPY, MOVE (RFC 6851) and EXPUNGE on DynamoDB. Each batch is one transaction: the destination
// counter hands out a block of UIDs while the new message items are put; moved or expunged items are
// deleted (conditioned on their MODSEQ) and remembered in the vanished table for QRESYNC.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CopyResult, ExpungeResult, MessageSummary } from '../../ports/mail-index.js';
import { StorageError } from '../../ports/errors.js';
import { batchGetAll, queryAll } from './dynamo-batch.js';
import { mailboxCounterUpdate, quotaUpdate } from './dynamo-counters.js';
import type { MailTables } from './dynamo-flag-writer.js';
import type { DynamoMailboxStore } from './dynamo-mailbox-store.js';
import { countByBlob, DELETED, flagCounterDelta, toMessageSummary, type Item, type MailboxItem } from './dynamo-mail-items.js';
import { isLostRace, MAX_TRANSACTION_ITEMS, retryOnLostRace, transact, type TransactItem } from './dynamo-transactions.js';
import type { DynamoStructureStore } from './dynamo-structure-store.js';
import { VANISHED_RETENTION_SECONDS } from './table-design.js';

/**
 * Messages per transaction (≤ 100 items): copy = 1 counter + n puts + 1 quota + ≤ n blob references;
 * move = 2 counters + 3n (put, delete, vanished) + 2 quotas; expunge = 1 counter + 2n + 1 quota + ≤ n references.
 */
const COPY_BATCH = Math.floor((MAX_TRANSACTION_ITEMS - 2) / 2);
const MOVE_BATCH = Math.floor((MAX_TRANSACTION_ITEMS - 4) / 3);
const EXPUNGE_BATCH = Math.floor((MAX_TRANSACTION_ITEMS - 2) / 3);

type Mapping = CopyResult['mapping'][number];

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let offset = 0; offset < items.length; offset += size) result.push(items.slice(offset, offset + size));
  return result;
}

/** Counter change of adding (sign 1) or removing (sign -1) these messages. */
function countersOf(messages: readonly Item[], sign: 1 | -1) {
  let unseen = 0;
  let deleted = 0;
  let sizeBytes = 0;
  for (const message of messages) {
    const delta = flagCounterDelta(null, message.flags as string[]);
    unseen += delta.unseen;
    deleted += delta.deleted;
    sizeBytes += message.sizeBytes as number;
  }
  return { messages: sign * messages.length, unseen: sign * unseen, deleted: sign * deleted, sizeBytes: sign * sizeBytes };
}

export class DynamoMessageMover {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly mailboxes: DynamoMailboxStore,
    private readonly structures: DynamoStructureStore,
    private readonly tables: MailTables,
  ) {}

  private async read(mailboxId: string, uids: readonly number[]): Promise<Item[]> {
    const items = await batchGetAll(
      this.dynamo,
      this.tables.messages,
      [...new Set(uids)].map((uid) => ({ mailboxId, uid })),
    );
    return items.sort((a, b) => (a.uid as number) - (b.uid as number));
  }

  private copiesOf(sources: readonly Item[], destination: MailboxItem): { puts: TransactItem[]; mapping: Mapping[] } {
    const modseq = destination.highestModseq + 1;
    const mapping = sources.map((source, i) => ({ sourceUid: source.uid as number, destinationUid: destination.uidNext + i }));
    const puts = sources.map((source, i) => ({
      Put: {
        TableName: this.tables.messages,
        Item: { ...source, mailboxId: destination.id, uid: destination.uidNext + i, modseq },
        ConditionExpression: 'attribute_not_exists(uid)',
      },
    }));
    return { puts, mapping };
  }

  /** Deletes and tombstones written at `nowMs`; the counter update must carry the same time (expungedAtMs). */
  private removalsOf(sources: readonly Item[], mailbox: MailboxItem, nowMs: number): TransactItem[] {
    const modseq = mailbox.highestModseq + 1;
    const expiresAt = Math.floor(nowMs / 1000) + VANISHED_RETENTION_SECONDS;
    return sources.flatMap((source) => [
      {
        Delete: {
          TableName: this.tables.messages,
          Key: { mailboxId: mailbox.id, uid: source.uid },
          ConditionExpression: 'modseq = :seen',
          ExpressionAttributeValues: { ':seen': source.modseq },
        },
      },
      { Put: { TableName: this.tables.vanished, Item: { mailboxId: mailbox.id, uid: source.uid, modseq, expiresAt } } },
    ]);
  }

  async copy(sourceMailboxId: string, uids: readonly number[], destinationMailboxId: string): Promise<CopyResult> {
    await this.mailboxes.require(sourceMailboxId);
    let destination = await this.mailboxes.require(destinationMailboxId);
    const mapping: Mapping[] = [];
    for (const batch of chunks(await this.read(sourceMailboxId, uids), COPY_BATCH)) {
      const committed = await retryOnLostRace('copy', async () => {
        const target = await this.mailboxes.require(destinationMailboxId);
        const { puts, mapping: batchMapping } = this.copiesOf(batch, target);
        const counters = countersOf(batch, 1);
        const outcome = await transact(
          this.dynamo,
          [
            mailboxCounterUpdate(this.tables.mailboxes, target, { ...counters, uidsAllocated: batch.length }),
            ...puts,
            quotaUpdate(this.tables.mailboxes, target.userId, counters.sizeBytes, batch.length),
            ...this.structures.referenceUpdates(countByBlob(batch)),
          ],
          'copy',
        );
        if (outcome.committed) return { target, batchMapping };
        if (isLostRace(outcome, [0])) return undefined;
        throw new StorageError('unavailable', `copy cancelled: ${outcome.reasons.join(',')}`);
      });
      destination = committed.target;
      mapping.push(...committed.batchMapping);
    }
    return { uidValidity: destination.uidValidity, mapping };
  }

  async move(
    sourceMailboxId: string,
    uids: readonly number[],
    destinationMailboxId: string,
  ): Promise<CopyResult & { readonly sourceHighestModseq: number }> {
    if (sourceMailboxId === destinationMailboxId) throw new StorageError('invalid', 'cannot move messages into their own mailbox');
    let source = await this.mailboxes.require(sourceMailboxId);
    let destination = await this.mailboxes.require(destinationMailboxId);
    const mapping: Mapping[] = [];
    for (const batchUids of chunks(
      [...new Set(uids)].sort((a, b) => a - b),
      MOVE_BATCH,
    )) {
      const committed = await retryOnLostRace('move', async () => {
        const [from, to] = await Promise.all([this.mailboxes.require(sourceMailboxId), this.mailboxes.require(destinationMailboxId)]);
        const batch = await this.read(sourceMailboxId, batchUids);
        if (batch.length === 0) return { from, to, batchMapping: [] as Mapping[] };
        const { puts, mapping: batchMapping } = this.copiesOf(batch, to);
        const counters = countersOf(batch, 1);
        const quotas =
          from.userId === to.userId
            ? []
            : [
                quotaUpdate(this.tables.mailboxes, to.userId, counters.sizeBytes, batch.length),
                quotaUpdate(this.tables.mailboxes, from.userId, -counters.sizeBytes, -batch.length),
              ];
        const nowMs = Date.now();
        const outcome = await transact(
          this.dynamo,
          [
            mailboxCounterUpdate(this.tables.mailboxes, to, { ...counters, uidsAllocated: batch.length }),
            mailboxCounterUpdate(this.tables.mailboxes, from, { ...countersOf(batch, -1), expungedAtMs: nowMs }),
            ...puts,
            ...this.removalsOf(batch, from, nowMs),
            ...quotas,
          ],
          'move',
        );
        if (outcome.committed) return { from: { ...from, highestModseq: from.highestModseq + 1 }, to, batchMapping };
        if (
          isLostRace(
            outcome,
            outcome.reasons.map((_, i) => i),
          )
        )
          return undefined;
        throw new StorageError('unavailable', `move cancelled: ${outcome.reasons.join(',')}`);
      });
      source = committed.from;
      destination = committed.to;
      mapping.push(...committed.batchMapping);
    }
    return { uidValidity: destination.uidValidity, mapping, sourceHighestModseq: source.highestModseq };
  }

  /** Messages flagged \Deleted: among `uids`, or all of them (read only when the counter says any exist). */
  private async deletedMessages(mailbox: MailboxItem, uids?: readonly number[]): Promise<number[]> {
    if (uids)
      return (await this.read(mailbox.id, uids))
        .filter((item) => (item.flags as string[]).includes(DELETED))
        .map((item) => item.uid as number);
    if (mailbox.deletedCount === 0) return [];
    const items = await queryAll(this.dynamo, {
      TableName: this.tables.messages,
      ConsistentRead: true,
      KeyConditionExpression: 'mailboxId = :m',
      FilterExpression: 'contains(flags, :deleted)',
      ExpressionAttributeValues: { ':m': mailbox.id, ':deleted': DELETED },
      ProjectionExpression: 'uid',
    });
    return items.map((item) => item.uid as number);
  }

  async expunge(mailboxId: string, uids?: readonly number[]): Promise<ExpungeResult> {
    let mailbox = await this.mailboxes.require(mailboxId);
    const expunged: MessageSummary[] = [];
    for (const batchUids of chunks(await this.deletedMessages(mailbox, uids), EXPUNGE_BATCH)) {
      const committed = await retryOnLostRace('expunge', async () => {
        const current = await this.mailboxes.require(mailboxId);
        const batch = (await this.read(mailboxId, batchUids)).filter((item) => (item.flags as string[]).includes(DELETED));
        if (batch.length === 0) return { current, batch };
        const counters = countersOf(batch, -1);
        const nowMs = Date.now();
        const outcome = await transact(
          this.dynamo,
          [
            mailboxCounterUpdate(this.tables.mailboxes, current, { ...counters, expungedAtMs: nowMs }),
            ...this.removalsOf(batch, current, nowMs),
            quotaUpdate(this.tables.mailboxes, current.userId, counters.sizeBytes, counters.messages),
            ...this.structures.referenceUpdates(countByBlob(batch, -1), nowMs),
          ],
          'expunge',
        );
        if (outcome.committed) return { current: { ...current, highestModseq: current.highestModseq + 1 }, batch };
        if (
          isLostRace(
            outcome,
            outcome.reasons.map((_, i) => i),
          )
        )
          return undefined;
        throw new StorageError('unavailable', `expunge cancelled: ${outcome.reasons.join(',')}`);
      });
      mailbox = committed.current;
      expunged.push(...committed.batch.map(toMessageSummary));
    }
    return { expunged, highestModseq: mailbox.highestModseq };
  }
}
