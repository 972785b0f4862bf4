// Mailbox records on DynamoDB: create, find by name or id, list, rename, delete, subscribe. A mailbox
// is two items in the mailboxes table: `user#<userId>` / `name#<name>` → id (unique names by a
// conditional put) and `mailbox#<id>` / `mailbox` holding the counters that UID allocation conditions on.
import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CreateMailboxOptions, Mailbox } from '../../ports/mail-index.js';
import { MAILBOX_DELIMITER } from '../../ports/mail-index.js';
import { StorageError } from '../../ports/errors.js';
import { awsCall } from './aws-errors.js';
import { batchGetAll, queryAll } from './dynamo-batch.js';
import {
  MAILBOX_NAME_PREFIX,
  mailboxDeletionKey,
  mailboxKey,
  mailboxNameKey,
  toMailbox,
  toMailboxItem,
  uidValidityKey,
  type MailboxItem,
} from './dynamo-mail-items.js';
import { MAX_TRANSACTION_ITEMS, retryOnLostRace, transact, type TransactItem } from './dynamo-transactions.js';
import { mailboxesTable, tableName } from './table-design.js';

/** RFC 3501 §5.1: INBOX is case-insensitive; every other name is kept as given. */
export function canonicalMailboxName(name: string): string {
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  if (name.toUpperCase().startsWith(`INBOX${MAILBOX_DELIMITER}`)) return `INBOX${name.slice(5)}`;
  return name;
}

/** Longest name accepted: far beyond any client's need, well inside a DynamoDB key (1 KB sort key limit). */
const MAX_MAILBOX_NAME_LENGTH = 500;

/** No empty levels (`a//b`, leading or trailing delimiter) and no control characters. */
function validateName(name: string): void {
  const levels = name.split(MAILBOX_DELIMITER);
  // eslint-disable-next-line no-control-regex
  if (name.length > MAX_MAILBOX_NAME_LENGTH || levels.some((level) => level === '') || /[\x00-\x1f\x7f]/.test(name)) {
    throw new StorageError('invalid', `bad mailbox name ${JSON.stringify(name)}`);
  }
}

export class DynamoMailboxStore {
  readonly table: string;

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    tablePrefix: string,
  ) {
    this.table = tableName(tablePrefix, mailboxesTable);
  }

  /** Strictly increasing per user, so a re-created name never reuses a UIDVALIDITY (RFC 3501 §2.3.1.1). */
  private async nextUidValidity(userId: string): Promise<number> {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const result = await awsCall('allocate UIDVALIDITY', () =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: uidValidityKey(userId),
          UpdateExpression: 'SET lastUidValidity = if_not_exists(lastUidValidity, :now) + :one',
          ExpressionAttributeValues: { ':now': nowSeconds, ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    // UIDVALIDITY is a 32-bit non-zero number (RFC 3501 §9, nz-number).
    return ((result.Attributes?.lastUidValidity as number) % 0xffffffff) + 1;
  }

  async create(userId: string, rawName: string, options: CreateMailboxOptions = {}): Promise<Mailbox> {
    const name = canonicalMailboxName(rawName);
    validateName(name);
    const item: MailboxItem = {
      id: randomUUID(),
      userId,
      name,
      specialUse: options.specialUse ?? null,
      subscribed: options.subscribed ?? true,
      uidValidity: await this.nextUidValidity(userId),
      uidNext: 1,
      highestModseq: 1,
      messageCount: 0,
      unseenCount: 0,
      deletedCount: 0,
      sizeBytes: 0,
      firstRecentUid: 1,
      expungeLog: { entries: [], prunedModseq: 0 },
    };
    await retryOnLostRace('create mailbox', async () => {
      const outcome = await transact(
        this.dynamo,
        [
          {
            Put: {
              TableName: this.table,
              Item: { ...mailboxNameKey(userId, name), mailboxId: item.id },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: this.table, Item: { ...mailboxKey(item.id), ...item } } },
        ],
        'create mailbox',
      );
      if (outcome.committed) return true;
      if (outcome.reasons[0] === 'ConditionalCheckFailed') throw new StorageError('already-exists', `mailbox ${name} exists`);
      // A concurrent transaction on the same name (TransactionConflict): try again to learn who won.
      return undefined;
    });
    return toMailbox(item);
  }

  async read(mailboxId: string): Promise<MailboxItem | null> {
    const result = await awsCall('read mailbox', () =>
      this.dynamo.send(new GetCommand({ TableName: this.table, Key: mailboxKey(mailboxId), ConsistentRead: true })),
    );
    return result.Item ? toMailboxItem(result.Item) : null;
  }

  async require(mailboxId: string): Promise<MailboxItem> {
    const mailbox = await this.read(mailboxId);
    if (!mailbox) throw new StorageError('not-found', `mailbox ${mailboxId} not found`);
    return mailbox;
  }

  async idByName(userId: string, rawName: string): Promise<string | null> {
    const result = await awsCall('find mailbox', () =>
      this.dynamo.send(
        new GetCommand({ TableName: this.table, Key: mailboxNameKey(userId, canonicalMailboxName(rawName)), ConsistentRead: true }),
      ),
    );
    return (result.Item?.mailboxId as string | undefined) ?? null;
  }

  async byName(userId: string, name: string): Promise<MailboxItem | null> {
    const id = await this.idByName(userId, name);
    return id ? this.read(id) : null;
  }

  async list(userId: string): Promise<MailboxItem[]> {
    const names = await queryAll(this.dynamo, {
      TableName: this.table,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': mailboxNameKey(userId, '').pk, ':prefix': MAILBOX_NAME_PREFIX },
    });
    const items = await batchGetAll(
      this.dynamo,
      this.table,
      names.map((name) => mailboxKey(name.mailboxId as string)),
    );
    return items.map(toMailboxItem).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Renames `from` and its inferiors in one transaction per 33 mailboxes (3 items each). */
  async rename(userId: string, rawFrom: string, rawTo: string): Promise<void> {
    const from = canonicalMailboxName(rawFrom);
    const to = canonicalMailboxName(rawTo);
    validateName(to);
    // RFC 3501 §6.3.5 defines renaming INBOX as moving its messages: not a rename, so refused here.
    if (from === 'INBOX') throw new StorageError('invalid', 'INBOX cannot be renamed');
    const all = await this.list(userId);
    const moving = all.filter((mailbox) => mailbox.name === from || mailbox.name.startsWith(from + MAILBOX_DELIMITER));
    if (!moving.some((mailbox) => mailbox.name === from)) throw new StorageError('not-found', `mailbox ${from} not found`);
    if (to === from || to.startsWith(from + MAILBOX_DELIMITER)) throw new StorageError('invalid', `cannot rename ${from} into itself`);
    const renames = moving.map((mailbox) => ({ mailbox, newName: to + mailbox.name.slice(from.length) }));
    if (renames.some(({ newName }) => all.some((existing) => existing.name === newName)))
      throw new StorageError('already-exists', `mailbox ${to} exists`);
    const items: TransactItem[] = renames.flatMap(({ mailbox, newName }) => [
      { Delete: { TableName: this.table, Key: mailboxNameKey(userId, mailbox.name) } },
      {
        Put: {
          TableName: this.table,
          Item: { ...mailboxNameKey(userId, newName), mailboxId: mailbox.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: mailboxKey(mailbox.id),
          UpdateExpression: 'SET #name = :name',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': newName },
        },
      },
    ]);
    const perTransaction = MAX_TRANSACTION_ITEMS - (MAX_TRANSACTION_ITEMS % 3);
    for (let offset = 0; offset < items.length; offset += perTransaction) {
      const outcome = await transact(this.dynamo, items.slice(offset, offset + perTransaction), 'rename mailbox');
      if (!outcome.committed) throw new StorageError('already-exists', `mailbox ${to} exists`);
    }
  }

  /** Removes the name and the counter item, so no append can find the mailbox any more. */
  async remove(userId: string, name: string): Promise<MailboxItem> {
    if (canonicalMailboxName(name) === 'INBOX') throw new StorageError('invalid', 'INBOX cannot be deleted'); // RFC 3501 §6.3.4
    const mailbox = await this.byName(userId, name);
    if (!mailbox) throw new StorageError('not-found', `mailbox ${name} not found`);
    const outcome = await transact(
      this.dynamo,
      [
        {
          Delete: {
            TableName: this.table,
            Key: mailboxNameKey(userId, mailbox.name),
            ConditionExpression: 'mailboxId = :id',
            ExpressionAttributeValues: { ':id': mailbox.id },
          },
        },
        { Delete: { TableName: this.table, Key: mailboxKey(mailbox.id) } },
        // Its messages are purged after this commit; the marker lets a purge a crash cut short be finished.
        {
          Put: { TableName: this.table, Item: { ...mailboxDeletionKey(mailbox.id), mailboxId: mailbox.id, userId, deletedAt: Date.now() } },
        },
      ],
      'delete mailbox',
    );
    if (!outcome.committed) throw new StorageError('not-found', `mailbox ${name} not found`);
    return mailbox;
  }

  /**
   * \Recent claim: one UpdateItem sets firstRecentUid to uidNext and returns the values before it, so
   * two sessions (on any containers) can never both claim a UID. Appends never touch firstRecentUid.
   */
  async claimRecent(mailboxId: string): Promise<{ firstUid: number; lastUid: number }> {
    const result = await awsCall('claim recent', () =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: mailboxKey(mailboxId),
          UpdateExpression: 'SET firstRecentUid = uidNext',
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      ),
    ).catch((error: unknown) => {
      // The only condition is the item's existence: a failed check means the mailbox was deleted.
      throw error instanceof StorageError && error.code === 'conflict'
        ? new StorageError('not-found', `mailbox ${mailboxId} not found`)
        : error;
    });
    const before = toMailboxItem(result.Attributes ?? {});
    return { firstUid: before.firstRecentUid, lastUid: before.uidNext - 1 };
  }

  async setSubscribed(userId: string, name: string, subscribed: boolean): Promise<void> {
    const id = await this.idByName(userId, name);
    if (!id) throw new StorageError('not-found', `mailbox ${name} not found`);
    await awsCall('subscribe', () =>
      this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: mailboxKey(id),
          UpdateExpression: 'SET subscribed = :s',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':s': subscribed },
        }),
      ),
    );
  }
}
