// Directory port: hosted domains, users, aliases and per-domain DKIM keys. The SMTP service reads it
// for every RCPT, the access service for every login, the CLI writes it. Adapters: SqliteDirectory,
// DynamoDirectory. Addresses are passed in canonical form (core/mail/address.ts normalizeAddress).

export type UserStatus = 'active' | 'disabled' | 'moved';

export interface Domain {
  readonly name: string;
  readonly createdAt: Date;
}

export interface User {
  /** Stable id, never reused; mailboxes hang off it so that renaming an address keeps the mail. */
  readonly id: string;
  readonly address: string;
  /** Self-describing hash (core/auth/password.ts), never a plaintext password. */
  readonly passwordHash: string;
  /** null = unlimited. */
  readonly quotaBytes: number | null;
  readonly status: UserStatus;
  /** With status 'moved': where mail should go now (551 5.1.6 User not local). */
  readonly movedTo: string | null;
  readonly createdAt: Date;
}

export interface NewUser {
  readonly address: string;
  readonly passwordHash: string;
  readonly quotaBytes?: number | null;
}

export type UserUpdate = Partial<Pick<User, 'passwordHash' | 'quotaBytes' | 'status' | 'movedTo'>>;

/**
 * An alias maps a source to targets. The source is a full address, or `@domain` for the domain's
 * catch-all. Targets are hosted addresses or remote addresses (forwarding).
 */
export interface Alias {
  readonly source: string;
  readonly targets: readonly string[];
}

export interface DkimKey {
  readonly domain: string;
  readonly selector: string;
  /** PEM; on AWS the adapter keeps it in Secrets Manager and this field is filled on read. */
  readonly privateKeyPem: string;
  readonly algorithm: 'rsa-sha256' | 'ed25519-sha256';
  readonly createdAt: Date;
}

/** A per-user delivery rule: mail whose header contains the text is filed into the mailbox (first match wins). */
export interface FilterRule {
  /** Header field name, lower-case (`subject`, `from`, `list-id`, …). */
  readonly header: string;
  /** Case-insensitive substring of the decoded header value. */
  readonly contains: string;
  /** Destination mailbox name (UTF-8, `/` delimited); INBOX when it no longer exists. */
  readonly mailbox: string;
}

export interface Directory {
  addDomain(name: string): Promise<Domain>;
  getDomain(name: string): Promise<Domain | null>;
  listDomains(): Promise<Domain[]>;
  /** Refuses with StorageError('conflict') while users or aliases remain in the domain. */
  removeDomain(name: string): Promise<void>;

  /** Throws StorageError('not-found') for an unhosted domain, ('already-exists') for a taken address. */
  addUser(user: NewUser): Promise<User>;
  getUser(address: string): Promise<User | null>;
  getUserById(id: string): Promise<User | null>;
  listUsers(domain?: string): Promise<User[]>;
  updateUser(address: string, update: UserUpdate): Promise<User>;
  removeUser(address: string): Promise<void>;

  /** Adds or replaces the alias for `source`. */
  putAlias(alias: Alias): Promise<void>;
  getAlias(source: string): Promise<Alias | null>;
  listAliases(domain?: string): Promise<Alias[]>;
  removeAlias(source: string): Promise<void>;

  getFilterRules(userId: string): Promise<FilterRule[]>;
  /** Replaces the user's rules (order matters). */
  setFilterRules(userId: string, rules: readonly FilterRule[]): Promise<void>;

  putDkimKey(key: DkimKey): Promise<void>;
  getDkimKey(domain: string): Promise<DkimKey | null>;
}
