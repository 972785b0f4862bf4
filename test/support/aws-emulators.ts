// Starts the AWS emulators a test file needs, offline and with fake credentials: AWS's own DynamoDB
// Local (the jar inside amplify-dynamodb-simulator, on Java 17; it implements TransactWriteItems,
// which dynalite does not), fauxqs in-process (SQS with visibility timeouts and redrive, and S3
// with ranged GETs and multipart uploads) and the Secrets Manager stand-in. Creates the tables from
// core/adapters/aws/table-design.ts, the queues with their dead-letter queues, the bucket and the DKIM
// secret (`{}`, as the stack creates it); returns the AwsConfig and a stop function.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import type { AwsConfig } from '../../core/config/index.js';
import type { AwsCredentials } from '../../core/adapters/aws/aws-clients.js';
import { awsTableDesigns, tableName, type TableDesign } from '../../core/adapters/aws/table-design.js';
import { freePort } from './free-port.js';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from './secrets-manager-stand-in.js';

/** DynamoDB Local accepts any key id made of letters and digits only. */
export const EMULATOR_CREDENTIALS: AwsCredentials = { accessKeyId: 'yubintest', secretAccessKey: 'yubintest' };
const REGION = 'us-east-1';
/** Bounded wait for the JVM to answer (cold start on a busy 2-core machine). */
const DYNAMO_STARTUP_TIMEOUT_MS = 60_000;

export interface AwsBackendOptions {
  /** Receives before a job moves to its queue's DLQ (the SQS redrive policy's maxReceiveCount). */
  readonly maxAttempts?: number;
}

export interface AwsEmulators {
  readonly credentials: AwsCredentials;
  /** The in-process SQS/S3 emulator, for tests that inspect queues directly. */
  readonly fauxqs: FauxqsServer;
  /** Secrets by ARN: tests read and change them directly. */
  readonly secretsManager: SecretsManagerStandIn;
  /** A fresh, empty backend on these emulators: its own tables, queues (with DLQs) and bucket. */
  createBackend(options?: AwsBackendOptions): Promise<AwsConfig>;
  stop(): Promise<void>;
}

function dynamoLocalJarDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

async function startDynamoLocal(): Promise<{ endpoint: string; process: ChildProcess; client: DynamoDBClient; workDir: string }> {
  const jarDir = dynamoLocalJarDir();
  const port = await freePort();
  // DynamoDB Local writes a metadata file into its working directory even with -inMemory.
  const workDir = mkdtempSync(path.join(tmpdir(), 'yubin-dynamodb-'));
  const child = spawn(
    'java',
    [
      // Quick-starting JVM; the heap grows only as needed (the benchmark's 100,000-message mailbox needs ~1 GB).
      '-Xms64m',
      '-Xmx1g',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      path.join(jarDir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-port',
      String(port),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: workDir },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ region: REGION, endpoint, credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 });
  const deadline = Date.now() + DYNAMO_STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}: ${stderr}`);
    try {
      await client.send(new ListTablesCommand({}));
      return { endpoint, process: child, client, workDir };
    } catch (error) {
      const notListeningYet = (error as { code?: string }).code === 'ECONNREFUSED' || (error as Error).name === 'TimeoutError';
      if (!notListeningYet || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${DYNAMO_STARTUP_TIMEOUT_MS} ms: ${stderr}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** CreateTable input from the shared design: the same shape the CDK stack gives CloudFormation. */
async function createTable(client: DynamoDBClient, tablePrefix: string, design: TableDesign): Promise<void> {
  const attributes = new Map<string, 'S' | 'N'>();
  for (const key of [
    design.partitionKey,
    design.sortKey,
    ...design.globalSecondaryIndexes.flatMap((gsi) => [gsi.partitionKey, gsi.sortKey]),
  ]) {
    attributes.set(key.name, key.type);
  }
  const name = tableName(tablePrefix, design);
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
      KeySchema: [
        { AttributeName: design.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: design.sortKey.name, KeyType: 'RANGE' },
      ],
      ...(design.globalSecondaryIndexes.length > 0
        ? {
            GlobalSecondaryIndexes: design.globalSecondaryIndexes.map((gsi) => ({
              IndexName: gsi.indexName,
              KeySchema: [
                { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' as const },
                { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' as const },
              ],
              Projection:
                gsi.projectedAttributes.length > 0
                  ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...gsi.projectedAttributes] }
                  : { ProjectionType: 'KEYS_ONLY' as const },
            })),
          }
        : {}),
    }),
  );
  if (design.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { Enabled: true, AttributeName: design.timeToLiveAttribute },
      }),
    );
  }
}

export async function createAwsTables(client: DynamoDBClient, tablePrefix: string): Promise<void> {
  await Promise.all(awsTableDesigns.map((design) => createTable(client, tablePrefix, design)));
}

function createQueueWithDlq(fauxqs: FauxqsServer, name: string, maxAttempts: number): string {
  const dlq = fauxqs.createQueue(`${name}-dlq`, { region: REGION });
  return fauxqs.createQueue(name, {
    region: REGION,
    attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(maxAttempts) }) },
  }).queueUrl;
}

export async function startAwsEmulators(): Promise<AwsEmulators> {
  const [dynamo, fauxqs, secretsManager] = await Promise.all([
    startDynamoLocal(),
    startFauxqs({ port: 0, host: '127.0.0.1', logger: false, defaultRegion: REGION }),
    startSecretsManagerStandIn(new Map(), EMULATOR_CREDENTIALS),
  ]);
  return {
    credentials: EMULATOR_CREDENTIALS,
    fauxqs,
    secretsManager,
    async createBackend(options = {}) {
      const suffix = randomBytes(4).toString('hex');
      const maxAttempts = options.maxAttempts ?? 5;
      await createAwsTables(dynamo.client, `yubin-${suffix}`);
      fauxqs.createBucket(`yubin-${suffix}`);
      const dkimSecretArn = `arn:aws:secretsmanager:${REGION}:000000000000:secret:yubin-${suffix}/dkim-keys-${suffix.slice(0, 6)}`;
      secretsManager.secrets.set(dkimSecretArn, '{}');
      return {
        region: REGION,
        dynamoEndpoint: dynamo.endpoint,
        s3Endpoint: fauxqs.address,
        sqsEndpoint: fauxqs.address,
        secretsManagerEndpoint: secretsManager.endpoint,
        dkimSecretArn,
        tablePrefix: `yubin-${suffix}`,
        bucket: `yubin-${suffix}`,
        inboundQueueUrl: createQueueWithDlq(fauxqs, `inbound-${suffix}`, maxAttempts),
        outboundQueueUrl: createQueueWithDlq(fauxqs, `outbound-${suffix}`, maxAttempts),
      };
    },
    async stop() {
      dynamo.client.destroy();
      await fauxqs.stop();
      await secretsManager.close();
      if (dynamo.process.exitCode === null) {
        const exited = new Promise((resolve) => dynamo.process.once('exit', resolve));
        dynamo.process.kill('SIGTERM');
        await exited;
      }
      rmSync(dynamo.workDir, { recursive: true, force: true });
    },
  };
}

/** How long the shared emulators outlive their last lease, so back-to-back backends reuse them. */
const SHARED_LINGER_MS = 1_500;
let shared: { emulators: Promise<AwsEmulators>; leases: number; stopTimer?: NodeJS.Timeout } | undefined;

/**
 * One emulator set per test process, shared by every backend the process opens (a JVM start costs
 * seconds on a busy machine); stopped shortly after the last lease is released.
 */
export async function leaseAwsEmulators(): Promise<{ emulators: AwsEmulators; release(): Promise<void> }> {
  if (!shared) shared = { emulators: startAwsEmulators(), leases: 0 };
  const current = shared;
  clearTimeout(current.stopTimer);
  current.leases++;
  let emulators: AwsEmulators;
  try {
    emulators = await current.emulators;
  } catch (error) {
    if (shared === current) shared = undefined;
    throw error;
  }
  let released = false;
  return {
    emulators,
    async release() {
      if (released) return;
      released = true;
      if (--current.leases > 0) return;
      current.stopTimer = setTimeout(() => {
        if (shared === current && current.leases === 0) shared = undefined;
        void emulators.stop();
      }, SHARED_LINGER_MS);
    },
  };
}
