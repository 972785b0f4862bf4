// MailIndex on DynamoDB. Reads are consistent GetItem/BatchGetItem/Query on (mailboxId, uid); every
// write is one TransactWriteItems conditioned on the mailbox's HIGHESTMODSEQ (dynamo-counters.ts), so
// UID allocation and the message insert commit together (design brief §4.3). docs/storage.md has the why.
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  AppendOptions,
  AppendResult,
  ChangesSince,
  CopyResult,
  CreateMailboxOptions,
  ExpungeResult,
  FlagUpdate,
  FlagUpdateResult,
  ListMessagesQuery,
  Mailbox,
  MailIndex,
  MessagePage,
  MessageSummary,
  NewMessage,
  QuotaUsage,
  StoredMessage,
} from '../../ports/mail-index.js';
import { StorageError } from '../../ports/errors.js';
import { awsCall } from './aws-errors.js';
import { batchDeleteAll, batchGetAll, queryAll } from './dynamo-batch.js';
import { mailboxCounterUpdate, quotaUpdate } from './dynamo-counters.js';
import { DynamoMailboxStore } from './dynamo-mailbox-store.js';
import { countByBlob, flagCounterDelta, idempotencyKey, quotaKey, toMailbox, toMessageSummary, type Item, type MessageItem } from './dynamo-mail-items.js';
import { DynamoMessageMover } from './dynamo-message-mover.js';
import { DynamoFlagWriter } from './dynamo-flag-writer.js';
import { DynamoStructureStore } from './dynamo-structure-store.js';
import { isLostRace, retryOnLostRace, transact } from './dynamo-transactions.js';
import { IDEMPOTENCY_RETENTION_SECONDS, messagesTable, tableName, vanishedTable } from './table-design.js';

/** Largest listing page; the port promises at least 1,000. */
const MAX_PAGE_MESSAGES = 1000;

export class DynamoMailIndex implements MailIndex {
  private readonly mailboxes: DynamoMailboxStore;
  private readonly structures: DynamoStructureStore;
  private readonly messagesTable: string;
  private readonly vanishedTable: string;
  private readonly flags: DynamoFlagWriter;
  private readonly mover: DynamoMessageMover;

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    tablePrefix: string,
  ) {
    this.mailboxes = new DynamoMailboxStore(dynamo, tablePrefix);
    this.structures = new DynamoStructureStore(dynamo, tablePrefix);
    this.messagesTable = tableName(tablePrefix, messagesTable);
    this.vanishedTable = tableName(tablePrefix, vanishedTable);
    const tables = { mailboxes: this.mailboxes.table, messages: this.messagesTable, vanished: this.vanishedTable };
    this.flags = new DynamoFlagWriter(dynamo, this.mailboxes, tables);
    this.mover = new DynamoMessageMover(dynamo, this.mailboxes, this.structures, tables);
  }

  createMailbox(userId: string, name: string, options?: CreateMailboxOptions): Promise<Mailbox> {
    return this.mailboxes.create(userId, name, options);
  }

  async getMailbox(userId: string, name: string): Promise<Mailbox | null> {
    const item = await this.mailboxes.byName(userId, name);
    return item ? toMailbox(item) : null;
  }

  async getMailboxById(mailboxId: string): Promise<Mailbox | null> {
    const item = await this.mailboxes.read(mailboxId);
    return item ? toMailbox(item) : null;
  }

  async listMailboxes(userId: string): Promise<Mailbox[]> {
    return (await this.mailboxes.list(userId)).map(toMailbox);
  }

  renameMailbox(userId: string, from: string, to: string): Promise<void> {
    return this.mailboxes.rename(userId, from, to);
  }

  async deleteMailbox(userId: string, name: string): Promise<{ readonly blobKeys: readonly string[] }> {
    const mailbox = await this.mailboxes.remove(userId, name);
    // The mailbox is gone for every reader now; its message items are garbage to sweep.
    const messages = await queryAll(this.dynamo, {
      TableName: this.messagesTable,
      KeyConditionExpression: 'mailboxId = :m',
      ExpressionAttributeValues: { ':m': mailbox.id },
      ProjectionExpression: 'mailboxId, uid, blobKey, sizeBytes',
    });
    await batchDeleteAll(this.dynamo, this.messagesTable, messages.map((item) => ({ mailboxId: item.mailboxId, uid: item.uid })));
    const freedBytes = messages.reduce((sum, item) => sum + (item.sizeBytes as number), 0);
    if (messages.length > 0) {
      await transact(this.dynamo, [quotaUpdate(this.mailboxes.table, userId, -freedBytes, -messages.length)], 'release quota');
    }
    return { blobKeys: await this.structures.release(countByBlob(messages)) };
  }

  setSubscribed(userId: string, name: string, subscribed: boolean): Promise<void> {
    return this.mailboxes.setSubscribed(userId, name, subscribed);
  }

  private async findAppended(mailboxId: string, key: string): Promise<AppendResult | null> {
    const result = await awsCall('read idempotency key', () =>
      this.dynamo.send(new GetCommand({ TableName: this.mailboxes.table, Key: idempotencyKey(mailboxId, key), ConsistentRead: true })),
    );
    const item = result.Item;
    return item ? { uid: item.uid as number, modseq: item.modseq as number, uidValidity: item.uidValidity as number, duplicate: true } : null;
  }

  async appendMessage(mailboxId: string, message: NewMessage, options: AppendOptions = {}): Promise<AppendResult> {
    const key = message.idempotencyKey;
    if (key !== undefined) {
      const earlier = await this.findAppended(mailboxId, key);
      if (earlier) return earlier;
    }
    const limit = options.quotaLimitBytes;
    if (limit !== undefined && limit !== null && message.sizeBytes > limit) throw new StorageError('quota-exceeded', 'message larger than the quota');
    // Written before the message becomes visible; idempotent, so a lost race or a crash leaves no harm.
    await this.structures.put(message.blobKey, message.structure);
    const flags = [...new Set(message.flags ?? [])];
    const counters = flagCounterDelta(null, flags);
    return retryOnLostRace('append', async () => {
      const mailbox = await this.mailboxes.require(mailboxId);
      const uid = mailbox.uidNext;
      const modseq = mailbox.highestModseq + 1;
      const item: MessageItem = { mailboxId, uid, modseq, flags, internalDate: message.internalDate.getTime(), sizeBytes: message.sizeBytes, blobKey: message.blobKey };
      const outcome = await transact(
        this.dynamo,
        [
          mailboxCounterUpdate(this.mailboxes.table, mailbox, { uidsAllocated: 1, messages: 1, unseen: counters.unseen, deleted: counters.deleted, sizeBytes: message.sizeBytes }),
          { Put: { TableName: this.messagesTable, Item: item, ConditionExpression: 'attribute_not_exists(uid)' } },
          quotaUpdate(this.mailboxes.table, mailbox.userId, message.sizeBytes, 1, limit),
          ...this.structures.referenceUpdates(new Map([[message.blobKey, 1]])),
          ...(key === undefined
            ? []
            : [
                {
                  Put: {
                    TableName: this.mailboxes.table,
                    Item: { ...idempotencyKey(mailboxId, key), uid, modseq, uidValidity: mailbox.uidValidity, expiresAt: Math.floor(Date.now() / 1000) + IDEMPOTENCY_RETENTION_SECONDS },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ]),
        ],
        'append',
      );
      if (outcome.committed) return { uid, modseq, uidValidity: mailbox.uidValidity, duplicate: false };
      if (outcome.reasons[4] === 'ConditionalCheckFailed' && key !== undefined) {
        // A concurrent delivery of the same job won: report its UID (invariant 1: one copy).
        const earlier = await this.findAppended(mailboxId, key);
        if (earlier) return earlier;
      }
      if (outcome.reasons[2] === 'ConditionalCheckFailed') throw new StorageError('quota-exceeded', 'mailbox quota exceeded');
      if (isLostRace(outcome, [0, 1])) return undefined;
      throw new StorageError('unavailable', `append cancelled: ${outcome.reasons.join(',')}`);
    });
  }

  async listUids(mailboxId: string): Promise<number[]> {
    const items = await queryAll(this.dynamo, {
      TableName: this.messagesTable,
      ConsistentRead: true,
      KeyConditionExpression: 'mailboxId = :m',
      ExpressionAttributeValues: { ':m': mailboxId },
      ProjectionExpression: 'uid',
    });
    return items.map((item) => item.uid as number);
  }

  /**
   * Sequence numbers are positions in UID order. IMAP sessions keep their own sequence → UID map
   * (from listUids at SELECT), so this path walks UID keys only when a caller asks by sequence.
   */
  private async sequenceToUids(mailboxId: string, from: number, to: number): Promise<{ from: number; to: number } | null> {
    const uids: number[] = [];
    let startKey: Item | undefined;
    do {
      const page = await awsCall('resolve sequence numbers', () =>
        this.dynamo.send(
          new QueryCommand({
            TableName: this.messagesTable,
            ConsistentRead: true,
            KeyConditionExpression: 'mailboxId = :m',
            ExpressionAttributeValues: { ':m': mailboxId },
            ProjectionExpression: 'uid',
            Limit: Math.min(to - uids.length, MAX_PAGE_MESSAGES * 10),
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      uids.push(...(page.Items ?? []).map((item) => item.uid as number));
      startKey = page.LastEvaluatedKey;
    } while (startKey && uids.length < to);
    if (uids.length < from) return null;
    return { from: uids[from - 1] as number, to: uids[Math.min(to, uids.length) - 1] as number };
  }

  async listMessages(mailboxId: string, query: ListMessagesQuery = {}): Promise<MessagePage<MessageSummary>> {
    const limit = Math.max(1, Math.min(query.limit ?? MAX_PAGE_MESSAGES, MAX_PAGE_MESSAGES));
    let from = 1;
    let to = Number.MAX_SAFE_INTEGER;
    if (query.range?.by === 'uid') ({ from, to } = query.range);
    if (query.range?.by === 'sequence') {
      if (query.range.from < 1 || query.range.to < query.range.from) throw new StorageError('invalid', 'bad sequence range');
      const uids = await this.sequenceToUids(mailboxId, query.range.from, query.range.to);
      if (!uids) return { messages: [], nextAfterUid: null };
      ({ from, to } = uids);
    }
    from = Math.max(from, (query.afterUid ?? 0) + 1);
    if (from > to) return { messages: [], nextAfterUid: null };
    // One item more than the page tells whether another page exists.
    const page = await awsCall('list messages', () =>
      this.dynamo.send(
        new QueryCommand({
          TableName: this.messagesTable,
          ConsistentRead: true,
          KeyConditionExpression: 'mailboxId = :m AND uid BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':m': mailboxId, ':from': from, ':to': to },
          Limit: limit + 1,
        }),
      ),
    );
    const messages = (page.Items ?? []).map(toMessageSummary);
    const more = messages.length > limit;
    if (more) messages.length = limit;
    return { messages, nextAfterUid: more ? (messages[messages.length - 1]?.uid ?? null) : null };
  }

  async readMessages(mailboxId: string, uids: readonly number[]): Promise<Item[]> {
    const unique = [...new Set(uids)];
    const items = await batchGetAll(this.dynamo, this.messagesTable, unique.map((uid) => ({ mailboxId, uid })));
    return items.sort((a, b) => (a.uid as number) - (b.uid as number));
  }

  async getMessages(mailboxId: string, uids: readonly number[]): Promise<StoredMessage[]> {
    const items = await this.readMessages(mailboxId, uids);
    const structures = await this.structures.getMany(items.map((item) => item.blobKey as string));
    return items.map((item) => ({ ...toMessageSummary(item), structure: structures.get(item.blobKey as string)! }));
  }

  updateFlags(mailboxId: string, update: FlagUpdate): Promise<FlagUpdateResult> {
    return this.flags.update(mailboxId, update);
  }

  copyMessages(sourceMailboxId: string, uids: readonly number[], destinationMailboxId: string): Promise<CopyResult> {
    return this.mover.copy(sourceMailboxId, uids, destinationMailboxId);
  }

  moveMessages(sourceMailboxId: string, uids: readonly number[], destinationMailboxId: string): Promise<CopyResult & { readonly sourceHighestModseq: number }> {
    return this.mover.move(sourceMailboxId, uids, destinationMailboxId);
  }

  expunge(mailboxId: string, uids?: readonly number[]): Promise<ExpungeResult> {
    return this.mover.expunge(mailboxId, uids);
  }

  async changesSince(mailboxId: string, modseq: number): Promise<ChangesSince> {
    // Counter first: a change committed after this read may show up in `changed` too, which is harmless.
    const mailbox = await this.mailboxes.require(mailboxId);
    const [changed, vanished] = await Promise.all([
      queryAll(this.dynamo, {
        TableName: this.messagesTable,
        IndexName: messagesTable.globalSecondaryIndexes[0].indexName,
        KeyConditionExpression: 'mailboxId = :m AND modseq > :since',
        ExpressionAttributeValues: { ':m': mailboxId, ':since': modseq },
      }),
      queryAll(this.dynamo, {
        TableName: this.vanishedTable,
        ConsistentRead: true,
        KeyConditionExpression: 'mailboxId = :m',
        FilterExpression: 'modseq > :since',
        ExpressionAttributeValues: { ':m': mailboxId, ':since': modseq },
      }),
    ]);
    return {
      highestModseq: mailbox.highestModseq,
      changed: changed.map(toMessageSummary).sort((a, b) => a.uid - b.uid),
      vanished: vanished.map((item) => item.uid as number).sort((a, b) => a - b),
    };
  }

  async getQuotaUsage(userId: string): Promise<QuotaUsage> {
    const result = await awsCall('read quota', () => this.dynamo.send(new GetCommand({ TableName: this.mailboxes.table, Key: quotaKey(userId), ConsistentRead: true })));
    return { usedBytes: (result.Item?.usedBytes as number | undefined) ?? 0, messageCount: (result.Item?.messageCount as number | undefined) ?? 0 };
  }
}

