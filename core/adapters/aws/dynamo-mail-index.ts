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
  EnvelopedMessage,
  ExpungeResult,
  ImapEnvelopedMessage,
  FlagUpdate,
  FlagUpdateResult,
  IndexedSearchHeader,
  ListMessagesQuery,
  Mailbox,
  MailIndex,
  MessagePage,
  MessageSummary,
  NewMessage,
  QuotaUsage,
  RecentClaim,
  StoredMessage,
} from '../../ports/mail-index.js';
import { checkAppendBatch } from '../../ports/mail-index.js';
import { StorageError } from '../../ports/errors.js';
import { normalizeFlags } from '../../mail/flags.js';
import { serializeEnvelope } from '../../mail/imap-envelope.js';
import type { Envelope } from '../../mail/message-structure.js';
import { foldForSearch } from '../../mail/search-text.js';
import { envelopeSearchText } from '../../mime/search-text.js';
import { awsCall } from './aws-errors.js';
import { backoff, batchGetAll, queryAll } from './dynamo-batch.js';
import { DynamoMailboxStore } from './dynamo-mailbox-store.js';
import { DynamoMailboxPurger } from './dynamo-mailbox-purger.js';
import { forgottenModseq } from './dynamo-expunge-log.js';
import { expungeLogOf, imapEnvelopeOf, quotaKey, toMailbox, toMessageSummary, type Item } from './dynamo-mail-items.js';
import { DynamoMessageMover } from './dynamo-message-mover.js';
import { DynamoAppendBatcher } from './dynamo-append-batcher.js';
import { DynamoFlagWriter } from './dynamo-flag-writer.js';
import { DynamoStructureStore } from './dynamo-structure-store.js';
import { messagesTable, tableName, vanishedTable } from './table-design.js';

/** Largest listing page; the port promises at least 1,000. */
const MAX_PAGE_MESSAGES = 1000;
/** Re-reads of the byModseq GSI before changesSince falls back to a consistent Query. */
const GSI_LAG_RETRIES = 3;

export class DynamoMailIndex implements MailIndex {
  private readonly mailboxes: DynamoMailboxStore;
  private readonly structures: DynamoStructureStore;
  private readonly messagesTable: string;
  private readonly vanishedTable: string;
  private readonly flags: DynamoFlagWriter;
  private readonly mover: DynamoMessageMover;
  private readonly appends: DynamoAppendBatcher;
  private readonly purger: DynamoMailboxPurger;

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    tablePrefix: string,
    /** Epoch milliseconds; tests move it to see tombstones age past their TTL. */
    private readonly clock: () => number = Date.now,
  ) {
    this.mailboxes = new DynamoMailboxStore(dynamo, tablePrefix);
    this.structures = new DynamoStructureStore(dynamo, tablePrefix);
    this.messagesTable = tableName(tablePrefix, messagesTable);
    this.vanishedTable = tableName(tablePrefix, vanishedTable);
    const tables = { mailboxes: this.mailboxes.table, messages: this.messagesTable, vanished: this.vanishedTable };
    this.flags = new DynamoFlagWriter(dynamo, this.mailboxes, tables);
    this.mover = new DynamoMessageMover(dynamo, this.mailboxes, this.structures, tables);
    this.appends = new DynamoAppendBatcher(dynamo, this.mailboxes, this.structures, this.messagesTable);
    this.purger = new DynamoMailboxPurger(dynamo, this.structures, tables);
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
    // The mailbox is gone for every reader now; its message items are garbage to purge.
    return { blobKeys: await this.purger.purge({ mailboxId: mailbox.id, userId }) };
  }

  setSubscribed(userId: string, name: string, subscribed: boolean): Promise<void> {
    return this.mailboxes.setSubscribed(userId, name, subscribed);
  }

  async appendMessage(mailboxId: string, message: NewMessage, options: AppendOptions = {}): Promise<AppendResult> {
    const key = message.idempotencyKey;
    if (key !== undefined) {
      const earlier = await this.appends.findAppended(mailboxId, key);
      if (earlier) return earlier;
    }
    const limit = options.quotaLimitBytes ?? null;
    if (limit !== null && message.sizeBytes > limit) throw new StorageError('quota-exceeded', 'message larger than the quota');
    // Written before the message becomes visible; idempotent, so a lost race or a crash leaves no harm.
    await this.structures.put(message.blobKey, message.structure);
    return new Promise((resolve, reject) => {
      this.appends.enqueue(mailboxId, { message, flags: normalizeFlags(message.flags ?? []), quotaLimitBytes: limit, resolve, reject });
    });
  }

  async appendMessages(mailboxId: string, messages: readonly NewMessage[], options: AppendOptions = {}): Promise<AppendResult[]> {
    checkAppendBatch(messages);
    if (messages.length === 0) return [];
    const limit = options.quotaLimitBytes ?? null;
    if (limit !== null && messages.reduce((sum, message) => sum + message.sizeBytes, 0) > limit) throw new StorageError('quota-exceeded', 'messages larger than the quota');
    // As for one append: structures first (idempotent), then one transaction makes every message visible.
    await Promise.all(messages.map((message) => this.structures.put(message.blobKey, message.structure)));
    return this.appends.appendAll(
      mailboxId,
      messages.map((message) => ({ message, flags: normalizeFlags(message.flags ?? []), quotaLimitBytes: limit })),
    );
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
    await this.mailboxes.require(mailboxId);
    const limit = Math.max(1, Math.min(query.limit ?? MAX_PAGE_MESSAGES, MAX_PAGE_MESSAGES));
    let from = 1;
    let to = Number.MAX_SAFE_INTEGER;
    // RFC 3501 §9 seq-range: `11:2` means the same as `2:11`.
    if (query.range?.by === 'uid') [from, to] = [Math.min(query.range.from, query.range.to), Math.max(query.range.from, query.range.to)];
    if (query.range?.by === 'sequence') {
      const [first, last] = [Math.min(query.range.from, query.range.to), Math.max(query.range.from, query.range.to)];
      if (first < 1) throw new StorageError('invalid', 'bad sequence range');
      const uids = await this.sequenceToUids(mailboxId, first, last);
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

  /** Message items in UID order, unknown UIDs skipped. */
  async readMessages(mailboxId: string, uids: readonly number[]): Promise<Item[]> {
    const unique = [...new Set(uids)].sort((a, b) => a - b);
    const first = unique[0];
    const last = unique[unique.length - 1];
    // A run of consecutive UIDs (FETCH 1:* asks in batches of them) is one Query: fewer requests, and
    // read units for the bytes read rather than 4 KB per item as BatchGetItem charges.
    if (first !== undefined && last !== undefined && last - first === unique.length - 1) {
      return queryAll(this.dynamo, {
        TableName: this.messagesTable,
        ConsistentRead: true,
        KeyConditionExpression: 'mailboxId = :m AND uid BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':m': mailboxId, ':from': first, ':to': last },
      });
    }
    const items = await batchGetAll(
      this.dynamo,
      this.messagesTable,
      unique.map((uid) => ({ mailboxId, uid })),
    );
    return items.sort((a, b) => (a.uid as number) - (b.uid as number));
  }

  async getMessages(mailboxId: string, uids: readonly number[]): Promise<StoredMessage[]> {
    const items = await this.readMessages(mailboxId, uids);
    const structures = await this.structures.getMany(items.map((item) => item.blobKey as string));
    return items.map((item) => ({ ...toMessageSummary(item), structure: structures.get(item.blobKey as string)! }));
  }

  async getEnvelopes(mailboxId: string, uids: readonly number[]): Promise<EnvelopedMessage[]> {
    const items = await this.readMessages(mailboxId, uids);
    const envelopes = await this.structures.getEnvelopes(items.map((item) => item.blobKey as string));
    return items.map((item) => ({ ...toMessageSummary(item), envelope: envelopes.get(item.blobKey as string)! }));
  }

  async getImapEnvelopes(mailboxId: string, uids: readonly number[]): Promise<ImapEnvelopedMessage[]> {
    const items = await this.readMessages(mailboxId, uids);
    // Items without the attribute (too large, or written before it existed) are serialised from the envelope item.
    const missing = items.filter((item) => imapEnvelopeOf(item) === null).map((item) => item.blobKey as string);
    const envelopes = missing.length === 0 ? new Map<string, Envelope>() : await this.structures.getEnvelopes(missing);
    return items.map((item) => ({
      ...toMessageSummary(item),
      imapEnvelope: imapEnvelopeOf(item) ?? serializeEnvelope(envelopes.get(item.blobKey as string)!),
    }));
  }

  /**
   * One consistent Query of the mailbox's message items with a FilterExpression on their `search`
   * map: read units are spent on every item of the mailbox (filters run after the read), but only
   * matching UIDs cross the network. Items written before `search` existed are checked through
   * their envelopes.
   */
  async searchHeaders(mailboxId: string, field: IndexedSearchHeader, needle: string): Promise<number[]> {
    await this.mailboxes.require(mailboxId);
    const folded = foldForSearch(needle);
    const items = await queryAll(this.dynamo, {
      TableName: this.messagesTable,
      ConsistentRead: true,
      KeyConditionExpression: 'mailboxId = :m',
      // contains() with an empty string is refused, and RFC 3501 makes "" mean "has the field".
      FilterExpression: `${folded === '' ? 'attribute_exists(#s.#f)' : 'contains(#s.#f, :n)'} OR attribute_not_exists(#s)`,
      ProjectionExpression: '#u, #s',
      ExpressionAttributeNames: { '#u': 'uid', '#s': 'search', '#f': field },
      ExpressionAttributeValues: { ':m': mailboxId, ...(folded === '' ? {} : { ':n': folded }) },
    });
    const legacy = items.filter((item) => item.search === undefined).map((item) => item.uid as number);
    const matched = new Set(items.filter((item) => item.search !== undefined).map((item) => item.uid as number));
    for (const message of legacy.length === 0 ? [] : await this.getEnvelopes(mailboxId, legacy)) {
      if (envelopeSearchText(message.envelope)[field]?.includes(folded)) matched.add(message.uid);
    }
    return [...matched].sort((a, b) => a - b);
  }

  updateFlags(mailboxId: string, update: FlagUpdate): Promise<FlagUpdateResult> {
    return this.flags.update(mailboxId, update);
  }

  copyMessages(sourceMailboxId: string, uids: readonly number[], destinationMailboxId: string): Promise<CopyResult> {
    return this.mover.copy(sourceMailboxId, uids, destinationMailboxId);
  }

  moveMessages(
    sourceMailboxId: string,
    uids: readonly number[],
    destinationMailboxId: string,
  ): Promise<CopyResult & { readonly sourceHighestModseq: number }> {
    return this.mover.move(sourceMailboxId, uids, destinationMailboxId);
  }

  expunge(mailboxId: string, uids?: readonly number[]): Promise<ExpungeResult> {
    return this.mover.expunge(mailboxId, uids);
  }

  /**
   * CONDSTORE/QRESYNC changes. The byModseq GSI is updated asynchronously on AWS, so the answer is
   * checked against the counter: the newest change (HIGHESTMODSEQ) always leaves a trace, a message
   * item or a tombstone with that MODSEQ. While the GSI lacks it, re-query briefly, then fall back to
   * a consistent Query of the mailbox (O(mailbox) reads, only while the index lags).
   */
  async changesSince(mailboxId: string, modseq: number): Promise<ChangesSince> {
    // Counter first: a change committed after this read may show up in `changed` too, which is harmless.
    const mailbox = await this.mailboxes.require(mailboxId);
    const changedQuery = (consistent: boolean) =>
      queryAll(this.dynamo, {
        TableName: this.messagesTable,
        ...(consistent
          ? { ConsistentRead: true, KeyConditionExpression: 'mailboxId = :m', FilterExpression: 'modseq > :since' }
          : { IndexName: messagesTable.globalSecondaryIndexes[0].indexName, KeyConditionExpression: 'mailboxId = :m AND modseq > :since' }),
        ExpressionAttributeValues: { ':m': mailboxId, ':since': modseq },
      });
    const [firstChanged, vanished] = await Promise.all([
      changedQuery(false),
      queryAll(this.dynamo, {
        TableName: this.vanishedTable,
        ConsistentRead: true,
        KeyConditionExpression: 'mailboxId = :m',
        FilterExpression: 'modseq > :since',
        ExpressionAttributeValues: { ':m': mailboxId, ':since': modseq },
      }),
    ]);
    let changed = firstChanged;
    // A new mailbox starts at MODSEQ 1 with no trace; tombstones expire after VANISHED_RETENTION_SECONDS
    // (expunges at or below the forgotten MODSEQ may have left no trace either: then the fallback runs).
    const lagging = () =>
      mailbox.highestModseq > Math.max(modseq, 1) &&
      Math.max(0, ...[...changed, ...vanished].map((item) => item.modseq as number)) < mailbox.highestModseq;
    for (let round = 0; round < GSI_LAG_RETRIES && lagging(); round++) {
      await backoff(round + 4);
      changed = await changedQuery(false);
    }
    if (lagging()) changed = await changedQuery(true);
    return {
      highestModseq: mailbox.highestModseq,
      changed: changed.map(toMessageSummary).sort((a, b) => a.uid - b.uid),
      vanished: vanished.map((item) => item.uid as number).sort((a, b) => a - b),
      // TTL may have taken tombstones of expunges up to this MODSEQ (dynamo-expunge-log.ts).
      vanishedComplete: modseq >= forgottenModseq(expungeLogOf(mailbox), this.clock()),
    };
  }

  async claimRecent(mailboxId: string): Promise<RecentClaim> {
    // Most SELECTs find nothing new: a consistent read spares them the write.
    const mailbox = await this.mailboxes.require(mailboxId);
    if (mailbox.firstRecentUid >= mailbox.uidNext) return { firstUid: mailbox.uidNext, lastUid: mailbox.uidNext - 1 };
    return this.mailboxes.claimRecent(mailboxId);
  }

  async getQuotaUsage(userId: string): Promise<QuotaUsage> {
    const result = await awsCall('read quota', () =>
      this.dynamo.send(new GetCommand({ TableName: this.mailboxes.table, Key: quotaKey(userId), ConsistentRead: true })),
    );
    return {
      usedBytes: (result.Item?.usedBytes as number | undefined) ?? 0,
      messageCount: (result.Item?.messageCount as number | undefined) ?? 0,
    };
  }
}
