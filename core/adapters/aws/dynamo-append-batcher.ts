// Appends on DynamoDB with group commit. Appends to one mailbox from this process queue up and go
// in one TransactWriteItems per batch (up to 32 messages): one counter read and one transaction
// allocate a block of UIDs and insert every message of the block, so invariant 3 holds exactly as
// for a single append, while a burst of deliveries to one mailbox no longer races itself. Races
// with other processes are settled by the counter condition (re-read, retry). A batch cancelled for
// a business reason (quota, a duplicate idempotency key) is retried one message at a time, so each
// caller gets its own answer.
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AppendResult, NewMessage } from '../../ports/mail-index.js';
import { StorageError } from '../../ports/errors.js';
import { awsCall } from './aws-errors.js';
import { mailboxCounterUpdate, quotaUpdate } from './dynamo-counters.js';
import type { DynamoMailboxStore } from './dynamo-mailbox-store.js';
import { countByBlob, flagCounterDelta, idempotencyKey, imapEnvelopeAttributes, searchAttribute, type MessageItem } from './dynamo-mail-items.js';
import type { DynamoStructureStore } from './dynamo-structure-store.js';
import { isLostRace, MAX_TRANSACTION_ITEMS, retryOnLostRace, transact, type TransactItem } from './dynamo-transactions.js';
import { IDEMPOTENCY_RETENTION_SECONDS } from './table-design.js';

/** Per message: item put + idempotency put + blob reference; per batch: counter + quota. */
const MAX_BATCH_MESSAGES = Math.floor((MAX_TRANSACTION_ITEMS - 2) / 3);

export interface AppendEntry {
  readonly message: NewMessage;
  /** Flags already normalized. */
  readonly flags: string[];
  readonly quotaLimitBytes: number | null;
}

export interface PendingAppend extends AppendEntry {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** `reclaimed`: a blob of the batch is claimed by a sweep; `business`: quota or a duplicate key. */
type Outcome = { readonly results: AppendResult[] } | { readonly failed: 'business' | 'reclaimed' };

export class DynamoAppendBatcher {
  private readonly queues = new Map<string, PendingAppend[]>();

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly mailboxes: DynamoMailboxStore,
    private readonly structures: DynamoStructureStore,
    private readonly messagesTable: string,
  ) {}

  async findAppended(mailboxId: string, key: string): Promise<AppendResult | null> {
    const result = await awsCall('read idempotency key', () =>
      this.dynamo.send(new GetCommand({ TableName: this.mailboxes.table, Key: idempotencyKey(mailboxId, key), ConsistentRead: true })),
    );
    const item = result.Item;
    return item
      ? { uid: item.uid as number, modseq: item.modseq as number, uidValidity: item.uidValidity as number, duplicate: true }
      : null;
  }

  enqueue(mailboxId: string, pending: PendingAppend): void {
    const queue = this.queues.get(mailboxId);
    if (queue) {
      queue.push(pending);
      return;
    }
    this.queues.set(mailboxId, [pending]);
    void this.drain(mailboxId);
  }

  /** One drain loop per mailbox: while appends are waiting, commit them a batch at a time. */
  private async drain(mailboxId: string): Promise<void> {
    const queue = this.queues.get(mailboxId)!;
    while (queue.length > 0) {
      const batch = this.takeBatch(queue);
      try {
        await this.commit(mailboxId, batch);
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.queues.delete(mailboxId);
  }

  /** Up to MAX_BATCH_MESSAGES, never two with one idempotency key (one item cannot be written twice). */
  private takeBatch(queue: PendingAppend[]): PendingAppend[] {
    const batch: PendingAppend[] = [];
    const keys = new Set<string>();
    for (let i = 0; i < queue.length && batch.length < MAX_BATCH_MESSAGES;) {
      const key = queue[i]!.message.idempotencyKey;
      if (key !== undefined && keys.has(key)) {
        i++;
        continue;
      }
      if (key !== undefined) keys.add(key);
      batch.push(queue.splice(i, 1)[0]!);
    }
    return batch;
  }

  /**
   * Appends `entries` in one transaction, all or none (MULTIAPPEND), outside the queue: it races the
   * queue's batches through the counter condition like another process's appends would.
   */
  async appendAll(mailboxId: string, entries: readonly AppendEntry[]): Promise<AppendResult[]> {
    const outcome = await retryOnLostRace('append', () => this.attempt(mailboxId, entries));
    if ('results' in outcome) return outcome.results;
    if (outcome.failed === 'reclaimed') throw new StorageError('not-found', 'a blob of the batch is being reclaimed');
    throw new StorageError('quota-exceeded', 'mailbox quota exceeded');
  }

  private async commit(mailboxId: string, batch: PendingAppend[]): Promise<void> {
    const outcome = await retryOnLostRace('append', () => this.attempt(mailboxId, batch));
    if ('results' in outcome) {
      batch.forEach((pending, i) => pending.resolve(outcome.results[i]!));
      return;
    }
    if (batch.length === 1) {
      // A blob claimed by a sweep (dynamo-housekeeping.ts) takes no new reference; alone, that is this append's answer.
      if (outcome.failed === 'reclaimed') throw new StorageError('not-found', `blob ${batch[0]!.message.blobKey} is being reclaimed`);
      await this.settleAlone(mailboxId, batch[0]!);
      return;
    }
    for (const pending of batch) {
      try {
        await this.commit(mailboxId, [pending]);
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  /** A single append refused for a business reason: a duplicate key answers with the first UID. */
  private async settleAlone(mailboxId: string, pending: PendingAppend): Promise<void> {
    const key = pending.message.idempotencyKey;
    const earlier = key === undefined ? null : await this.findAppended(mailboxId, key);
    if (earlier) pending.resolve(earlier);
    else pending.reject(new StorageError('quota-exceeded', 'mailbox quota exceeded'));
  }

  private async attempt(mailboxId: string, batch: readonly AppendEntry[]): Promise<Outcome | undefined> {
    const mailbox = await this.mailboxes.require(mailboxId);
    const modseq = mailbox.highestModseq + 1;
    const expiresAt = Math.floor(Date.now() / 1000) + IDEMPOTENCY_RETENTION_SECONDS;
    const items: MessageItem[] = batch.map(({ message, flags }, i) => ({
      mailboxId,
      uid: mailbox.uidNext + i,
      modseq,
      flags,
      internalDate: message.internalDate.getTime(),
      sizeBytes: message.sizeBytes,
      blobKey: message.blobKey,
      search: searchAttribute(message.structure.envelope),
      ...imapEnvelopeAttributes(message.structure.envelope),
    }));
    let unseen = 0;
    let deleted = 0;
    let sizeBytes = 0;
    for (const item of items) {
      const delta = flagCounterDelta(null, item.flags);
      unseen += delta.unseen;
      deleted += delta.deleted;
      sizeBytes += item.sizeBytes;
    }
    // The tightest limit in the batch guards the whole batch; a refusal is sorted out one by one.
    const limits = batch.map((pending) => pending.quotaLimitBytes).filter((limit): limit is number => limit !== null);
    const limit = limits.length > 0 ? Math.min(...limits) : null;
    const references = this.structures.referenceUpdates(countByBlob(items));
    const transaction: TransactItem[] = [
      mailboxCounterUpdate(this.mailboxes.table, mailbox, {
        uidsAllocated: batch.length,
        messages: batch.length,
        unseen,
        deleted,
        sizeBytes,
      }),
      quotaUpdate(this.mailboxes.table, mailbox.userId, sizeBytes, batch.length, limit),
      ...references,
      ...items.map((item) => ({ Put: { TableName: this.messagesTable, Item: item, ConditionExpression: 'attribute_not_exists(uid)' } })),
      ...batch.flatMap(({ message }, i) =>
        message.idempotencyKey === undefined
          ? []
          : [
              {
                Put: {
                  TableName: this.mailboxes.table,
                  Item: {
                    ...idempotencyKey(mailboxId, message.idempotencyKey),
                    uid: items[i]!.uid,
                    modseq,
                    uidValidity: mailbox.uidValidity,
                    expiresAt,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
      ),
    ];
    const outcome = await transact(this.dynamo, transaction, 'append');
    if (outcome.committed)
      return { results: items.map((item) => ({ uid: item.uid, modseq, uidValidity: mailbox.uidValidity, duplicate: false })) };
    // The counter (item 0) or a message item (UID taken) failing its condition means another process won.
    const messagePuts = items.map((_, i) => 2 + references.length + i);
    if (isLostRace(outcome, [0, ...messagePuts])) return undefined;
    const reclaimed = references.some((_, i) => outcome.reasons[2 + i] === 'ConditionalCheckFailed');
    return { failed: reclaimed ? 'reclaimed' : 'business' };
  }
}
