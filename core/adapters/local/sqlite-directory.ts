// Directory on SQLite: domains, users, aliases (catch-all source `@domain`), filter rules, DKIM keys.
// Reads are single indexed lookups (users.address UNIQUE, aliases PRIMARY KEY) since SMTP asks per RCPT.
import { randomUUID } from 'node:crypto';
import type { Alias, DkimKey, Directory, Domain, FilterRule, NewUser, User, UserStatus, UserUpdate } from '../../ports/directory.js';
import { StorageError } from '../../ports/errors.js';
import type { GroupCommitter } from './group-commit.js';
import { type PreparedStatement, type SqliteDatabase, statementCache } from './sqlite-database.js';

interface UserRow {
  id: string;
  address: string;
  password_hash: string;
  quota_bytes: number | null;
  status: string;
  moved_to: string | null;
  created_at: number;
}

interface DkimRow {
  domain: string;
  selector: string;
  private_key_pem: string;
  algorithm: string;
  created_at: number;
}

export class SqliteDirectory implements Directory {
  readonly #sql: (sql: string) => PreparedStatement;
  readonly #committer: GroupCommitter;

  constructor(db: SqliteDatabase, committer: GroupCommitter) {
    this.#sql = statementCache(db);
    this.#committer = committer;
  }

  async addDomain(name: string): Promise<Domain> {
    const createdAt = Date.now();
    const inserted = await this.#committer.write(() =>
      this.#sql('INSERT INTO domains (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(name, createdAt),
    );
    if (inserted.changes === 0) throw new StorageError('already-exists', `domain ${name} already exists`);
    return { name, createdAt: new Date(createdAt) };
  }

  async getDomain(name: string): Promise<Domain | null> {
    const row = this.#sql('SELECT name, created_at FROM domains WHERE name = ?').get(name) as
      { name: string; created_at: number } | undefined;
    return row ? { name: row.name, createdAt: new Date(row.created_at) } : null;
  }

  async listDomains(): Promise<Domain[]> {
    const rows = this.#sql('SELECT name, created_at FROM domains ORDER BY name').all() as { name: string; created_at: number }[];
    return rows.map((row) => ({ name: row.name, createdAt: new Date(row.created_at) }));
  }

  async removeDomain(name: string): Promise<void> {
    await this.#committer.write(() => {
      const inUse = this.#sql(
        'SELECT EXISTS (SELECT 1 FROM users WHERE domain = ?) OR EXISTS (SELECT 1 FROM aliases WHERE domain = ?) AS used',
      ).get(name, name) as { used: number };
      if (inUse.used) throw new StorageError('conflict', `domain ${name} still has users or aliases`);
      const removed = this.#sql('DELETE FROM domains WHERE name = ?').run(name);
      if (removed.changes === 0) throw new StorageError('not-found', `no domain ${name}`);
      this.#sql('DELETE FROM dkim_keys WHERE domain = ?').run(name);
    });
  }

  async addUser(user: NewUser): Promise<User> {
    const domain = domainOf(user.address);
    const row: UserRow = {
      id: randomUUID(),
      address: user.address,
      password_hash: user.passwordHash,
      quota_bytes: user.quotaBytes ?? null,
      status: 'active',
      moved_to: null,
      created_at: Date.now(),
    };
    await this.#committer.write(() => {
      if (!this.#sql('SELECT 1 FROM domains WHERE name = ?').get(domain))
        throw new StorageError('not-found', `domain ${domain} is not hosted here`);
      const inserted = this.#sql(
        `INSERT INTO users (id, address, domain, password_hash, quota_bytes, status, moved_to, created_at)
             VALUES (@id, @address, @domain, @password_hash, @quota_bytes, @status, @moved_to, @created_at) ON CONFLICT DO NOTHING`,
      ).run({ ...row, domain });
      if (inserted.changes === 0) throw new StorageError('already-exists', `user ${user.address} already exists`);
    });
    return toUser(row);
  }

  async getUser(address: string): Promise<User | null> {
    const row = this.#sql('SELECT * FROM users WHERE address = ?').get(address) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async getUserById(id: string): Promise<User | null> {
    const row = this.#sql('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async listUsers(domain?: string): Promise<User[]> {
    const rows = (
      domain === undefined
        ? this.#sql('SELECT * FROM users ORDER BY address').all()
        : this.#sql('SELECT * FROM users WHERE domain = ? ORDER BY address').all(domain)
    ) as UserRow[];
    return rows.map(toUser);
  }

  async updateUser(address: string, update: UserUpdate): Promise<User> {
    const assignments: string[] = [];
    const values: Record<string, unknown> = { address };
    const columns: Record<keyof UserUpdate, string> = {
      passwordHash: 'password_hash',
      quotaBytes: 'quota_bytes',
      status: 'status',
      movedTo: 'moved_to',
    };
    for (const [field, column] of Object.entries(columns) as [keyof UserUpdate, string][]) {
      if (update[field] === undefined) continue;
      assignments.push(`${column} = @${column}`);
      values[column] = update[field];
    }
    const sql =
      assignments.length === 0
        ? 'SELECT * FROM users WHERE address = @address'
        : `UPDATE users SET ${assignments.join(', ')} WHERE address = @address RETURNING *`;
    const row = (await this.#committer.write(() => this.#sql(sql).get(values))) as UserRow | undefined;
    if (!row) throw new StorageError('not-found', `no user ${address}`);
    return toUser(row);
  }

  async removeUser(address: string): Promise<void> {
    await this.#committer.write(() => {
      const row = this.#sql('DELETE FROM users WHERE address = ? RETURNING id').get(address) as { id: string } | undefined;
      if (!row) throw new StorageError('not-found', `no user ${address}`);
      this.#sql('DELETE FROM filter_rules WHERE user_id = ?').run(row.id);
    });
  }

  async putAlias(alias: Alias): Promise<void> {
    const domain = domainOf(alias.source);
    await this.#committer.write(() =>
      this.#sql(
        'INSERT INTO aliases (source, domain, targets) VALUES (?, ?, ?) ON CONFLICT (source) DO UPDATE SET targets = excluded.targets',
      ).run(alias.source, domain, JSON.stringify(alias.targets)),
    );
  }

  async getAlias(source: string): Promise<Alias | null> {
    const row = this.#sql('SELECT source, targets FROM aliases WHERE source = ?').get(source) as
      { source: string; targets: string } | undefined;
    return row ? toAlias(row) : null;
  }

  async listAliases(domain?: string): Promise<Alias[]> {
    const rows = (
      domain === undefined
        ? this.#sql('SELECT source, targets FROM aliases ORDER BY source').all()
        : this.#sql('SELECT source, targets FROM aliases WHERE domain = ? ORDER BY source').all(domain)
    ) as { source: string; targets: string }[];
    return rows.map(toAlias);
  }

  async removeAlias(source: string): Promise<void> {
    const removed = await this.#committer.write(() => this.#sql('DELETE FROM aliases WHERE source = ?').run(source));
    if (removed.changes === 0) throw new StorageError('not-found', `no alias ${source}`);
  }

  async getFilterRules(userId: string): Promise<FilterRule[]> {
    const row = this.#sql('SELECT rules FROM filter_rules WHERE user_id = ?').get(userId) as { rules: string } | undefined;
    return row ? (JSON.parse(row.rules) as FilterRule[]) : [];
  }

  async setFilterRules(userId: string, rules: readonly FilterRule[]): Promise<void> {
    const json = JSON.stringify(rules.map(({ header, contains, mailbox }) => ({ header, contains, mailbox })));
    await this.#committer.write(() =>
      this.#sql('INSERT INTO filter_rules (user_id, rules) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET rules = excluded.rules').run(
        userId,
        json,
      ),
    );
  }

  async putDkimKey(key: DkimKey): Promise<void> {
    await this.#committer.write(() =>
      this.#sql(
        `INSERT INTO dkim_keys (domain, selector, private_key_pem, algorithm, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (domain) DO UPDATE SET selector = excluded.selector, private_key_pem = excluded.private_key_pem,
           algorithm = excluded.algorithm, created_at = excluded.created_at`,
      ).run(key.domain, key.selector, key.privateKeyPem, key.algorithm, key.createdAt.getTime()),
    );
  }

  async getDkimKey(domain: string): Promise<DkimKey | null> {
    const row = this.#sql('SELECT * FROM dkim_keys WHERE domain = ?').get(domain) as DkimRow | undefined;
    if (!row) return null;
    return {
      domain: row.domain,
      selector: row.selector,
      privateKeyPem: row.private_key_pem,
      algorithm: row.algorithm as DkimKey['algorithm'],
      createdAt: new Date(row.created_at),
    };
  }
}

/** The domain of `user@domain` or of a catch-all source `@domain`. */
function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0 || at === address.length - 1) throw new StorageError('invalid', `not an address: ${JSON.stringify(address)}`);
  return address.slice(at + 1);
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    address: row.address,
    passwordHash: row.password_hash,
    quotaBytes: row.quota_bytes,
    status: row.status as UserStatus,
    movedTo: row.moved_to,
    createdAt: new Date(row.created_at),
  };
}

function toAlias(row: { source: string; targets: string }): Alias {
  return { source: row.source, targets: JSON.parse(row.targets) as string[] };
}
