// The DynamoDB tables of the AWS adapter set as pure data: the adapters, the emulator harness and the
// CDK stack all read this one definition, so infrastructure and code cannot drift. docs/storage.md
// explains each key and index with the query it serves.

export type KeyAttributeType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyAttributeType;
}

export interface GlobalSecondaryIndexDesign {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** Non-key attributes copied into the index (INCLUDE projection); keys are always projected. */
  readonly projectedAttributes: readonly string[];
}

export interface TableDesign {
  /** Appended to the deployment's table prefix: `${tablePrefix}-${suffix}`. */
  readonly suffix: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly GlobalSecondaryIndexDesign[];
  /** Epoch-seconds attribute that DynamoDB TTL expires items by, if the table uses TTL. */
  readonly timeToLiveAttribute: string | null;
}

/** Domains, users (by address and by id), aliases, filter rules, DKIM keys: `pk`/`sk` with typed prefixes. */
export const directoryTable = {
  suffix: 'directory',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      // `yubin domain list`, `user list DOMAIN`, `alias list DOMAIN`, and removeDomain's emptiness check.
      indexName: 'byDomain',
      partitionKey: { name: 'domainKey', type: 'S' },
      sortKey: { name: 'domainSort', type: 'S' },
      projectedAttributes: [],
    },
  ],
  timeToLiveAttribute: null,
} as const satisfies TableDesign;

/**
 * Mailbox records (the UIDNEXT/HIGHESTMODSEQ counters), the per-user name → id records, the per-user
 * quota counter, append idempotency records (TTL) and failed-login counts (`attempts#…`, TTL).
 */
export const mailboxesTable = {
  suffix: 'mailboxes',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDesign;

/** One small item per message: (mailboxId, uid) → modseq, flags, date, size, blob key. */
export const messagesTable = {
  suffix: 'messages',
  partitionKey: { name: 'mailboxId', type: 'S' },
  sortKey: { name: 'uid', type: 'N' },
  globalSecondaryIndexes: [
    {
      // CONDSTORE/QRESYNC "changed since MODSEQ m" (RFC 7162 §3.1.4.1) without reading the mailbox.
      indexName: 'byModseq',
      partitionKey: { name: 'mailboxId', type: 'S' },
      sortKey: { name: 'modseq', type: 'N' },
      projectedAttributes: ['flags', 'internalDate', 'sizeBytes', 'blobKey'],
    },
  ],
  timeToLiveAttribute: null,
} as const satisfies TableDesign;

/** Expunged UIDs with the MODSEQ of their expunge, for QRESYNC VANISHED (RFC 7162 §3.2.10); TTL-expired. */
export const vanishedTable = {
  suffix: 'vanished',
  partitionKey: { name: 'mailboxId', type: 'S' },
  sortKey: { name: 'uid', type: 'N' },
  globalSecondaryIndexes: [],
  timeToLiveAttribute: 'expiresAt',
} as const satisfies TableDesign;

/**
 * Cached MessageStructure (envelope, MIME tree, part offsets), gzipped, keyed by the blob it describes
 * so copies and moves share it; split into chunks to stay under DynamoDB's 400 KB item limit.
 * Chunk 0 also counts the blob's references; when one is dropped it joins the sparse `unreferenced` index.
 */
export const structuresTable = {
  suffix: 'structures',
  partitionKey: { name: 'blobKey', type: 'S' },
  sortKey: { name: 'chunk', type: 'N' },
  globalSecondaryIndexes: [
    {
      // The housekeeper's "blobs whose references dropped before T" (dynamo-housekeeping.ts). Sparse:
      // only chunk-0 items that lost a reference carry these attributes, until a sweep settles them.
      indexName: 'unreferenced',
      partitionKey: { name: 'sweepShard', type: 'S' },
      sortKey: { name: 'releasedAt', type: 'N' },
      projectedAttributes: [],
    },
  ],
  timeToLiveAttribute: null,
} as const satisfies TableDesign;

/**
 * Failed-login counts (dynamo-attempt-counter.ts) live in the mailboxes table, which already has TTL:
 * no extra table to provision, back up or pay a minimum for. The key prefix lets IAM grant a service
 * these items and nothing else of the table (dynamodb:LeadingKeys).
 */
export const attemptCounterTable = mailboxesTable;
export const ATTEMPT_KEY_PREFIX = 'attempts#';

export const awsTableDesigns = [directoryTable, mailboxesTable, messagesTable, vanishedTable, structuresTable] as const;

export function tableName(tablePrefix: string, design: TableDesign): string {
  return `${tablePrefix}-${design.suffix}`;
}

/** How long expunged UIDs and append idempotency keys are remembered. */
export const VANISHED_RETENTION_SECONDS = 90 * 24 * 3600;
export const IDEMPOTENCY_RETENTION_SECONDS = 30 * 24 * 3600;
