// AWS SDK v3 clients for the adapter set, built once per process from AwsConfig. Endpoint overrides
// point them at local emulators (tests, `npm run bench:storage`); S3 then uses path-style URLs because
// an emulator on 127.0.0.1 has no per-bucket host names.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsConfig } from '../../config/index.js';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly secretsManager: SecretsManagerClient;
  destroy(): void;
}

/** `credentials` overrides the SDK's default provider chain (emulators accept any fixed pair). */
export function createAwsClients(config: AwsConfig, credentials?: AwsCredentials): AwsClients {
  const common = { region: config.region, ...(credentials ? { credentials } : {}) };
  const dynamoBase = new DynamoDBClient({ ...common, ...(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {}) });
  const dynamo = DynamoDBDocumentClient.from(dynamoBase, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  const s3 = new S3Client({
    ...common,
    ...(config.s3Endpoint ? { endpoint: config.s3Endpoint, forcePathStyle: true } : {}),
  });
  // With an endpoint override, ignore the host inside queue URLs (emulators print unresolvable ones).
  const sqs = new SQSClient({ ...common, ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint, useQueueUrlAsEndpoint: false } : {}) });
  const secretsManager = new SecretsManagerClient({
    ...common,
    ...(config.secretsManagerEndpoint ? { endpoint: config.secretsManagerEndpoint } : {}),
  });
  return {
    dynamo,
    s3,
    sqs,
    secretsManager,
    destroy() {
      dynamo.destroy();
      dynamoBase.destroy();
      s3.destroy();
      sqs.destroy();
      secretsManager.destroy();
    },
  };
}
