// The only reader of process.env (STYLE.md habit 8). Composition roots call loadConfig() once and
// pass the typed result down; nothing below them looks at the environment.
import path from 'node:path';

export type Backend = 'local' | 'aws';

export interface PortConfig {
  readonly smtp: number;
  readonly submission: number;
  readonly submissions: number;
  readonly imap: number;
  readonly imaps: number;
  readonly pop3: number;
  readonly pop3s: number;
}

export interface AwsConfig {
  readonly region: string;
  /** Override endpoints so tests reach local emulators (DynamoDB Local, fauxqs). */
  readonly dynamoEndpoint?: string;
  readonly s3Endpoint?: string;
  readonly sqsEndpoint?: string;
  readonly secretsManagerEndpoint?: string;
  readonly tablePrefix: string;
  readonly bucket: string;
  readonly inboundQueueUrl: string;
  readonly outboundQueueUrl: string;
  /** Secrets Manager secrets the services poll (JSON; shapes in lib/constructs/mail-secrets.ts). */
  readonly tlsSecretArn?: string;
  /** DKIM private keys, `{"<domain>": {selector, privateKeyPem, algorithm, createdAt}}`; the table keeps the rest. */
  readonly dkimSecretArn?: string;
  /** The SRS key in Secrets Manager, read by the delivery function at cold start. */
  readonly srsSecretArn?: string;
  /** Smarthost relay `{"host","port","username","password"}`; its fields override YUBIN_SMARTHOST*. */
  readonly smarthostSecretArn?: string;
}

/** The CloudFormation stack whose outputs name what the environment leaves unset (the CLI on AWS). */
export interface StackConfig {
  readonly name: string;
  /** Override endpoint of the CloudFormation API (tests point it at a loopback stand-in). */
  readonly cloudFormationEndpoint?: string;
}

/** The CDK app's stack name unless `-c stackName=…` says otherwise; the CLI looks for it by default. */
export const DEFAULT_STACK_NAME = 'Yubin';

/** Settings the `yubin` CLI takes from the stack's outputs when the environment does not set them. */
export type StackSetting = 'tablePrefix' | 'bucket' | 'inboundQueueUrl' | 'outboundQueueUrl' | 'hostname' | 'mtaStsMode' | 'dkimSecretArn';

/** RFC 8461 §5: enforce, testing (report only) or none (withdrawing a policy). */
export type MtaStsMode = 'enforce' | 'testing' | 'none';
export const MTA_STS_MODES: readonly MtaStsMode[] = ['enforce', 'testing', 'none'];

/** Storage housekeeping (core/storage/storage-housekeeper.ts). */
export interface HousekeepingConfig {
  /** How long a blob stays unreferenced before it is deleted: longer than any delivery job holds a blob key. */
  readonly blobGraceMs: number;
  /** Expunged UIDs older than this are forgotten (QRESYNC then reports conservatively, RFC 7162 §3.2.5.2). */
  readonly expungedUidRetentionMs: number;
  /** Idempotency keys older than this are forgotten: longer than the job queue can redeliver a job. */
  readonly idempotencyRetentionMs: number;
  /** Time between sweeps; 0 turns the timer off (sweep() still works). */
  readonly intervalMs: number;
}

/** How outbound mail leaves (design brief §3): `sink` locally, `ses` by default on AWS. */
export type EgressMode = 'sink' | 'ses' | 'direct' | 'smarthost';
const EGRESS_MODES: readonly EgressMode[] = ['sink', 'ses', 'direct', 'smarthost'];

export interface YubinConfig {
  readonly backend: Backend;
  readonly dataDir: string;
  readonly hostname: string;
  /** Address the listeners bind to. */
  readonly listenHost: string;
  readonly ports: PortConfig;
  /** Largest message accepted (SMTP SIZE, IMAP APPEND literal). */
  readonly maxMessageBytes: number;
  /** HMAC key of the Sender Rewriting Scheme for forwarded mail; '' lets the local host keep one in dataDir. */
  readonly srsSecret: string;
  /** Every connection starts with a PROXY v2 header (behind the AWS NLB): YUBIN_PROXY_PROTOCOL=1. */
  readonly proxyProtocol: boolean;
  /** Directory of `key.pem` + `cert.pem` (a self-signed pair is made when absent). */
  readonly tlsDir: string;
  readonly aws: AwsConfig;
  readonly egress: EgressMode;
  /** Plain-HTTP port of the web listener: client autoconfig, and redirects to HTTPS for the rest. */
  readonly autoconfigPort: number;
  /** HTTPS port of the web listener: autoconfig, autodiscover, mobileconfig and the MTA-STS policy. */
  readonly httpsPort: number;
  /** The mode of the MTA-STS policy this deployment serves and `yubin dns` hashes into the id. */
  readonly mtaStsMode: MtaStsMode;
  readonly stack: StackConfig;
  /** Which StackSetting values the environment left unset (the CLI fills them from the stack). */
  readonly unsetStackSettings: readonly StackSetting[];
  /** Public IPv4/IPv6 addresses mail is sent from: `yubin dns` puts them in the SPF record. */
  readonly publicAddresses: readonly string[];
  readonly housekeeping: HousekeepingConfig;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export type Env = Readonly<Record<string, string | undefined>>;

export function intFrom(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** A comma-separated list, blanks dropped; empty when unset. */
export function listFrom(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function loadConfig(env: Env = process.env): YubinConfig {
  const backend = (env.YUBIN_BACKEND ?? 'local') as Backend;
  if (backend !== 'local' && backend !== 'aws') throw new Error(`YUBIN_BACKEND must be local or aws, got ${JSON.stringify(backend)}`);
  const egress = (env.YUBIN_EGRESS ?? (backend === 'aws' ? 'ses' : 'sink')) as EgressMode;
  if (!EGRESS_MODES.includes(egress))
    throw new Error(`YUBIN_EGRESS must be one of ${EGRESS_MODES.join(', ')}, got ${JSON.stringify(egress)}`);
  const mtaStsMode = (env.YUBIN_MTA_STS_MODE ?? 'enforce') as MtaStsMode;
  if (!MTA_STS_MODES.includes(mtaStsMode))
    throw new Error(`YUBIN_MTA_STS_MODE must be one of ${MTA_STS_MODES.join(', ')}, got ${JSON.stringify(mtaStsMode)}`);
  const stackSettingVariables: Record<StackSetting, string> = {
    tablePrefix: 'YUBIN_TABLE_PREFIX',
    bucket: 'YUBIN_BUCKET',
    inboundQueueUrl: 'YUBIN_INBOUND_QUEUE_URL',
    outboundQueueUrl: 'YUBIN_OUTBOUND_QUEUE_URL',
    hostname: 'YUBIN_HOSTNAME',
    mtaStsMode: 'YUBIN_MTA_STS_MODE',
    dkimSecretArn: 'YUBIN_DKIM_SECRET_ARN',
  };
  return {
    backend,
    dataDir: path.resolve(env.YUBIN_DATA_DIR ?? './data'),
    hostname: env.YUBIN_HOSTNAME ?? 'localhost',
    listenHost: env.YUBIN_LISTEN_HOST ?? '127.0.0.1',
    ports: {
      smtp: intFrom(env, 'YUBIN_SMTP_PORT', 2525),
      submission: intFrom(env, 'YUBIN_SUBMISSION_PORT', 2587),
      submissions: intFrom(env, 'YUBIN_SUBMISSIONS_PORT', 2465),
      imap: intFrom(env, 'YUBIN_IMAP_PORT', 2143),
      imaps: intFrom(env, 'YUBIN_IMAPS_PORT', 2993),
      pop3: intFrom(env, 'YUBIN_POP3_PORT', 2110),
      pop3s: intFrom(env, 'YUBIN_POP3S_PORT', 2995),
    },
    maxMessageBytes: intFrom(env, 'YUBIN_MAX_MESSAGE_BYTES', 50 * 1024 * 1024),
    srsSecret: env.YUBIN_SRS_SECRET ?? '',
    proxyProtocol: env.YUBIN_PROXY_PROTOCOL === '1' || env.YUBIN_PROXY_PROTOCOL === 'true',
    tlsDir: path.resolve(env.YUBIN_TLS_DIR ?? path.join(env.YUBIN_DATA_DIR ?? './data', 'tls')),
    aws: {
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      dynamoEndpoint: env.YUBIN_DYNAMODB_ENDPOINT,
      s3Endpoint: env.YUBIN_S3_ENDPOINT,
      sqsEndpoint: env.YUBIN_SQS_ENDPOINT,
      secretsManagerEndpoint: env.YUBIN_SECRETS_MANAGER_ENDPOINT || undefined,
      tablePrefix: env.YUBIN_TABLE_PREFIX ?? 'yubin',
      bucket: env.YUBIN_BUCKET ?? '',
      inboundQueueUrl: env.YUBIN_INBOUND_QUEUE_URL ?? '',
      outboundQueueUrl: env.YUBIN_OUTBOUND_QUEUE_URL ?? '',
      tlsSecretArn: env.YUBIN_TLS_SECRET_ARN,
      dkimSecretArn: env.YUBIN_DKIM_SECRET_ARN || undefined,
      srsSecretArn: env.YUBIN_SRS_SECRET_ARN,
      smarthostSecretArn: env.YUBIN_SMARTHOST_SECRET_ARN || undefined,
    },
    stack: { name: env.YUBIN_STACK_NAME || DEFAULT_STACK_NAME, cloudFormationEndpoint: env.YUBIN_CLOUDFORMATION_ENDPOINT },
    egress,
    autoconfigPort: intFrom(env, 'YUBIN_AUTOCONFIG_PORT', 2080),
    httpsPort: intFrom(env, 'YUBIN_HTTPS_PORT', 2443),
    mtaStsMode,
    unsetStackSettings: (Object.keys(stackSettingVariables) as StackSetting[]).filter(
      (setting) => (env[stackSettingVariables[setting]] ?? '') === '',
    ),
    publicAddresses: listFrom(env, 'YUBIN_PUBLIC_ADDRESSES'),
    housekeeping: {
      // Longer than any delivery job holds a blob key between its first and last recipient.
      blobGraceMs: intFrom(env, 'YUBIN_BLOB_GRACE_MINUTES', 30) * MINUTE_MS,
      // RFC 7162 §3.2.5.2 lets a server forget expunges; 90 days matches the DynamoDB tombstone TTL.
      expungedUidRetentionMs: intFrom(env, 'YUBIN_EXPUNGED_UID_RETENTION_DAYS', 90) * DAY_MS,
      // Past any redelivery: SQS keeps a message 14 days at most, the local queue dead-letters after 8 receives.
      idempotencyRetentionMs: intFrom(env, 'YUBIN_IDEMPOTENCY_RETENTION_DAYS', 30) * DAY_MS,
      intervalMs: intFrom(env, 'YUBIN_HOUSEKEEPING_INTERVAL_SECONDS', 300) * 1000,
    },
  };
}
