// The AWS adapter set behind the Storage bundle: what a composition root calls when
// YUBIN_BACKEND=aws. One set of SDK clients per process, shared by all adapters.
import type { AwsConfig } from '../../config/index.js';
import type { InboundDeliveryJob, OutboundDeliveryJob } from '../../mail/jobs.js';
import type { Storage } from '../../ports/index.js';
import { DynamoAttemptCounter } from './dynamo-attempt-counter.js';
import { createAwsClients, type AwsCredentials } from './aws-clients.js';
import { DynamoChangeFeed, type DynamoChangeFeedOptions } from './dynamo-change-feed.js';
import { DynamoDirectory } from './dynamo-directory.js';
import { DynamoHousekeeping } from './dynamo-housekeeping.js';
import { DynamoMailIndex } from './dynamo-mail-index.js';
import { S3BlobStore } from './s3-blob-store.js';
import { DKIM_KEY_CACHE_MS, SecretsManagerDkimKeys } from './secrets-manager-dkim-keys.js';
import { SecretsManagerJsonObject } from './secrets-manager-json-object.js';
import { SqsJobQueue } from './sqs-job-queue.js';

export interface OpenAwsStorageOptions {
  /** Fixed credentials (emulators); otherwise the SDK's default chain (task role, Lambda role). */
  readonly credentials?: AwsCredentials;
  readonly changeFeed?: DynamoChangeFeedOptions;
  /** S3 multipart part size; tests lower it to exercise multipart on small blobs. */
  readonly blobPartBytes?: number;
  /** Epoch milliseconds the mail index judges TTL expiry by, and secret caches their age; tests move it forward. Default Date.now. */
  readonly clock?: () => number;
}

export async function openAwsStorage(config: AwsConfig, options: OpenAwsStorageOptions = {}): Promise<Storage> {
  for (const [name, value] of Object.entries({
    bucket: config.bucket,
    inboundQueueUrl: config.inboundQueueUrl,
    outboundQueueUrl: config.outboundQueueUrl,
  })) {
    if (!value) throw new Error(`AWS storage needs ${name} (YUBIN_BUCKET, YUBIN_INBOUND_QUEUE_URL, YUBIN_OUTBOUND_QUEUE_URL)`);
  }
  const clients = createAwsClients(config, options.credentials);
  const changes = new DynamoChangeFeed(clients.dynamo, config.tablePrefix, options.changeFeed);
  const dkimKeys =
    config.dkimSecretArn === undefined
      ? undefined
      : new SecretsManagerDkimKeys(
          new SecretsManagerJsonObject(clients.secretsManager, config.dkimSecretArn, {
            maxAgeMs: DKIM_KEY_CACHE_MS,
            ...(options.clock ? { clock: options.clock } : {}),
          }),
        );
  return {
    blobs: new S3BlobStore(clients.s3, { bucket: config.bucket, ...(options.blobPartBytes ? { partBytes: options.blobPartBytes } : {}) }),
    directory: new DynamoDirectory(clients.dynamo, config.tablePrefix, dkimKeys),
    mailIndex: new DynamoMailIndex(clients.dynamo, config.tablePrefix, options.clock),
    inboundQueue: new SqsJobQueue<InboundDeliveryJob>(clients.sqs, config.inboundQueueUrl),
    outboundQueue: new SqsJobQueue<OutboundDeliveryJob>(clients.sqs, config.outboundQueueUrl),
    changes,
    housekeeping: new DynamoHousekeeping(clients.dynamo, config.tablePrefix),
    attempts: new DynamoAttemptCounter(clients.dynamo, config.tablePrefix),
    async close() {
      await changes.close();
      clients.destroy();
    },
  };
}
