// The AWS adapter set: DynamoDB + S3 + SQS adapters against emulators this test file starts itself
// (test/support/aws-emulators.ts): DynamoDB Local and fauxqs, offline, with fake credentials. Each
// open() gets fresh tables, queues and bucket on one emulator set shared within the test process.
import type { AwsConfig } from '../../core/config/index.js';
import type { Storage } from '../../core/ports/index.js';
import { openAwsStorage } from '../../core/adapters/aws/open-aws-storage.js';
import type { AwsCredentials } from '../../core/adapters/aws/aws-clients.js';
import { leaseAwsEmulators } from '../support/aws-emulators.js';
import { type AdapterSet, CONTRACT_QUEUE_MAX_ATTEMPTS } from './support/adapter-set.js';

export interface AwsPeerOptions {
  readonly config: AwsConfig;
  readonly credentials: AwsCredentials;
}

/** Opens another client set on the same emulators, as a second container would (the peer recipe). */
export function openAwsPeer(options: AwsPeerOptions): Promise<Storage> {
  // A short poll keeps the cross-client change-feed case fast; production polls every second.
  // A small part size makes blobs over 5 MiB take the multipart path.
  return openAwsStorage(options.config, {
    credentials: options.credentials,
    changeFeed: { pollIntervalMs: 100 },
    blobPartBytes: 5 * 1024 * 1024,
  });
}

const awsAdapterSet: AdapterSet = {
  name: 'aws',
  async open() {
    const lease = await leaseAwsEmulators();
    const config = await lease.emulators.createBackend({ maxAttempts: CONTRACT_QUEUE_MAX_ATTEMPTS });
    const options: AwsPeerOptions = { config, credentials: lease.emulators.credentials };
    const storage = await openAwsPeer(options);
    return {
      storage,
      peerRecipe: { moduleUrl: import.meta.url, exportName: 'openAwsPeer', options },
      async cleanup() {
        await storage.close();
        await lease.release();
      },
    };
  },
};

export default awsAdapterSet;
