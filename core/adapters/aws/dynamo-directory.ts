// Directory on DynamoDB (directory table of table-design.ts). The hot reads — RCPT TO and login —
// are one consistent GetItem on `address#<address>`; listings Query the byDomain index; nothing scans.
import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Alias, DkimKey, Directory, Domain, FilterRule, NewUser, User, UserUpdate } from '../../ports/directory.js';
import { StorageError } from '../../ports/errors.js';
import { domainOf } from '../../mail/address.js';
import { awsCall, awsErrorName, toStorageError } from './aws-errors.js';
import type { SecretsManagerDkimKeys } from './secrets-manager-dkim-keys.js';
import { directoryTable, tableName } from './table-design.js';

type Item = Record<string, unknown>;

const DOMAINS_KEY = 'domains';
const domainPk = (name: string) => `domain#${name}`;
const addressPk = (address: string) => `address#${address}`;
const userIdPk = (id: string) => `user#${id}`;
const aliasPk = (source: string) => `alias#${source}`;
/** An alias source is an address or `@domain` (the catch-all). */
const aliasDomain = (source: string) => (source.startsWith('@') ? source.slice(1) : domainOf(source));

function toDomain(item: Item): Domain {
  return { name: item.name as string, createdAt: new Date(item.createdAt as string) };
}

function toUser(item: Item): User {
  return {
    id: item.id as string,
    address: item.address as string,
    passwordHash: item.passwordHash as string,
    quotaBytes: (item.quotaBytes as number | null | undefined) ?? null,
    status: item.status as User['status'],
    movedTo: (item.movedTo as string | null | undefined) ?? null,
    createdAt: new Date(item.createdAt as string),
  };
}

function toAlias(item: Item): Alias {
  return { source: item.source as string, targets: item.targets as string[] };
}

export class DynamoDirectory implements Directory {
  private readonly table: string;

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    tablePrefix: string,
    /** Where private keys live (the stack's DKIM secret); without it keys can be read, not stored. */
    private readonly dkimKeys?: SecretsManagerDkimKeys,
  ) {
    this.table = tableName(tablePrefix, directoryTable);
  }

  private async getItem(pk: string, sk: string): Promise<Item | null> {
    const result = await awsCall('directory read', () =>
      this.dynamo.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true })),
    );
    return result.Item ?? null;
  }

  /** Every item of the byDomain index under `domainKey` whose sort key starts with `prefix`, all pages. */
  private async queryDomainIndex(domainKey: string, prefix: string, limit?: number): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    const index = directoryTable.globalSecondaryIndexes[0];
    do {
      const page = await awsCall('directory listing', () =>
        this.dynamo.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: index.indexName,
            // DynamoDB refuses begins_with on an empty string: no prefix means the whole partition.
            KeyConditionExpression: prefix ? 'domainKey = :k AND begins_with(domainSort, :p)' : 'domainKey = :k',
            ExpressionAttributeValues: prefix ? { ':k': domainKey, ':p': prefix } : { ':k': domainKey },
            ExclusiveStartKey: startKey,
            ...(limit ? { Limit: limit } : {}),
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = limit && items.length >= limit ? undefined : page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** The index projects keys only: read each full item (consistently) by its primary key. */
  private async readAll(keys: readonly Item[]): Promise<Item[]> {
    const items = await Promise.all(keys.map((key) => this.getItem(key.pk as string, key.sk as string)));
    return items.filter((item): item is Item => item !== null);
  }

  async addDomain(name: string): Promise<Domain> {
    const item = { pk: domainPk(name), sk: 'domain', name, createdAt: new Date().toISOString(), domainKey: DOMAINS_KEY, domainSort: name };
    try {
      await this.dynamo.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') throw new StorageError('already-exists', `domain ${name} exists`);
      throw toStorageError(error, 'directory write');
    }
    return toDomain(item);
  }

  async getDomain(name: string): Promise<Domain | null> {
    const item = await this.getItem(domainPk(name), 'domain');
    return item ? toDomain(item) : null;
  }

  async listDomains(): Promise<Domain[]> {
    return (await this.readAll(await this.queryDomainIndex(DOMAINS_KEY, ''))).map(toDomain);
  }

  async removeDomain(name: string): Promise<void> {
    const members = await this.queryDomainIndex(domainPk(name), '', 1);
    if (members.length > 0) throw new StorageError('conflict', `domain ${name} still has users or aliases`);
    try {
      await this.dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.table, Key: { pk: domainPk(name), sk: 'domain' }, ConditionExpression: 'attribute_exists(pk)' } },
            { Delete: { TableName: this.table, Key: { pk: domainPk(name), sk: 'dkim' } } },
          ],
        }),
      );
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') throw new StorageError('not-found', `domain ${name} not found`);
      throw toStorageError(error, 'remove domain');
    }
    await this.dkimKeys?.remove(name);
  }

  async addUser(user: NewUser): Promise<User> {
    const domain = domainOf(user.address);
    const id = randomUUID();
    const item = {
      pk: addressPk(user.address),
      sk: 'user',
      id,
      address: user.address,
      passwordHash: user.passwordHash,
      quotaBytes: user.quotaBytes ?? null,
      status: 'active',
      movedTo: null,
      createdAt: new Date().toISOString(),
      domainKey: domainPk(domain),
      domainSort: `user#${user.address}`,
    };
    await this.writeInHostedDomain(
      domain,
      [
        { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Put: { TableName: this.table, Item: { pk: userIdPk(id), sk: 'address', address: user.address } } },
      ],
      `user ${user.address} exists`,
    );
    return toUser(item);
  }

  async getUser(address: string): Promise<User | null> {
    const item = await this.getItem(addressPk(address), 'user');
    return item ? toUser(item) : null;
  }

  async getUserById(id: string): Promise<User | null> {
    const pointer = await this.getItem(userIdPk(id), 'address');
    return pointer ? this.getUser(pointer.address as string) : null;
  }

  async listUsers(domain?: string): Promise<User[]> {
    const domains = domain ? [domain] : (await this.listDomains()).map((d) => d.name);
    const keys = (await Promise.all(domains.map((name) => this.queryDomainIndex(domainPk(name), 'user#')))).flat();
    return (await this.readAll(keys)).map(toUser).sort((a, b) => a.address.localeCompare(b.address));
  }

  async updateUser(address: string, update: UserUpdate): Promise<User> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    for (const [field, value] of Object.entries(update)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (sets.length === 0) {
      const user = await this.getUser(address);
      if (!user) throw new StorageError('not-found', `user ${address} not found`);
      return user;
    }
    try {
      const result = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: addressPk(address), sk: 'user' },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toUser(result.Attributes ?? {});
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') throw new StorageError('not-found', `user ${address} not found`);
      throw toStorageError(error, 'directory write');
    }
  }

  async removeUser(address: string): Promise<void> {
    const user = await this.getUser(address);
    if (!user) throw new StorageError('not-found', `user ${address} not found`);
    await awsCall('remove user', () =>
      this.dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.table, Key: { pk: addressPk(address), sk: 'user' } } },
            { Delete: { TableName: this.table, Key: { pk: userIdPk(user.id), sk: 'address' } } },
            { Delete: { TableName: this.table, Key: { pk: userIdPk(user.id), sk: 'filters' } } },
          ],
        }),
      ),
    );
  }

  async putAlias(alias: Alias): Promise<void> {
    const domain = aliasDomain(alias.source);
    const item = {
      pk: aliasPk(alias.source),
      sk: 'alias',
      source: alias.source,
      targets: [...alias.targets],
      domainKey: domainPk(domain),
      domainSort: `alias#${alias.source}`,
    };
    await this.writeInHostedDomain(domain, [{ Put: { TableName: this.table, Item: item } }]);
  }

  /**
   * One transaction: the writes, on condition that the domain is hosted (StorageError 'not-found'
   * otherwise). A failed condition of the first write means `existsMessage` ('already-exists').
   */
  private async writeInHostedDomain(
    domain: string,
    writes: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
    existsMessage?: string,
  ): Promise<void> {
    try {
      await this.dynamo.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.table,
                Key: { pk: domainPk(domain), sk: 'domain' },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            ...writes,
          ],
        }),
      );
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if (reasons?.[0]?.Code === 'ConditionalCheckFailed') throw new StorageError('not-found', `domain ${domain} is not hosted`);
      if (existsMessage !== undefined && reasons?.[1]?.Code === 'ConditionalCheckFailed')
        throw new StorageError('already-exists', existsMessage);
      throw toStorageError(error, 'directory write');
    }
  }

  async getAlias(source: string): Promise<Alias | null> {
    const item = await this.getItem(aliasPk(source), 'alias');
    return item ? toAlias(item) : null;
  }

  async listAliases(domain?: string): Promise<Alias[]> {
    const domains = domain ? [domain] : (await this.listDomains()).map((d) => d.name);
    const keys = (await Promise.all(domains.map((name) => this.queryDomainIndex(domainPk(name), 'alias#')))).flat();
    return (await this.readAll(keys)).map(toAlias).sort((a, b) => a.source.localeCompare(b.source));
  }

  async removeAlias(source: string): Promise<void> {
    try {
      await this.dynamo.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: aliasPk(source), sk: 'alias' },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailed' || awsErrorName(error) === 'ConditionalCheckFailedException')
        throw new StorageError('not-found', `alias ${source} not found`);
      throw toStorageError(error, 'remove alias');
    }
  }

  async getFilterRules(userId: string): Promise<FilterRule[]> {
    const item = await this.getItem(userIdPk(userId), 'filters');
    return (item?.rules as FilterRule[] | undefined) ?? [];
  }

  async setFilterRules(userId: string, rules: readonly FilterRule[]): Promise<void> {
    await awsCall('set filter rules', () =>
      this.dynamo.send(
        new PutCommand({ TableName: this.table, Item: { pk: userIdPk(userId), sk: 'filters', rules: rules.map((rule) => ({ ...rule })) } }),
      ),
    );
  }

  /** The private key goes to the secret first, so the table never names a key egress cannot find. */
  async putDkimKey(key: DkimKey): Promise<void> {
    if (!this.dkimKeys)
      throw new StorageError(
        'invalid',
        'DKIM private keys live in Secrets Manager: set YUBIN_DKIM_SECRET_ARN (stack output DkimKeysSecret)',
      );
    await this.dkimKeys.put(key);
    const { domain, selector, algorithm } = key;
    await awsCall('put DKIM key', () =>
      this.dynamo.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: domainPk(domain), sk: 'dkim', domain, selector, algorithm, createdAt: key.createdAt.toISOString() },
        }),
      ),
    );
  }

  /**
   * The secret's key; else a key stored in the table before keys moved to Secrets Manager (read
   * fallback until `yubin dkim migrate` moves it); else null.
   */
  async getDkimKey(domain: string): Promise<DkimKey | null> {
    const fromSecret = await this.dkimKeys?.get(domain);
    if (fromSecret) return fromSecret;
    const item = await this.getItem(domainPk(domain), 'dkim');
    if (typeof item?.privateKeyPem !== 'string') return null;
    return {
      domain: item.domain as string,
      selector: item.selector as string,
      privateKeyPem: item.privateKeyPem,
      algorithm: item.algorithm as DkimKey['algorithm'],
      createdAt: new Date(item.createdAt as string),
    };
  }
}
