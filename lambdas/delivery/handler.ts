// Delivery Lambda (AWS host of core/delivery): SQS inbound-delivery records → parse, authenticate,
// file → partial batch response. Trusts: job bodies from the SMTP service (shape-checked anyway); DNS
// for DKIM/DMARC keys. May touch: S3 spool/ (read, delete), msg/ outbound/ spool/ (write); DynamoDB
// directory (read) and mail index (write); SQS inbound (visibility, send DSNs) and outbound (send).
// Never: directory writes, SES, other secrets. lib/ grants exactly this; a CDK test pins it.
import { tmpdir } from 'node:os';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { openAwsStorage } from '../../core/adapters/aws/open-aws-storage.js';
import { loadConfig } from '../../core/config/index.js';
import { cachedDnsResolver, systemDnsResolver } from '../../core/delivery/cached-dns-resolver.js';
import { deliveryStorage } from '../../core/delivery/deliver-inbound-job.js';
import { RuleBasedSpamScorer } from '../../core/delivery/spam/rule-based-spam-scorer.js';
import { createLogger } from '../../core/log/logger.js';
import { createStructureParser } from '../../core/mime/index.js';
import { createDeliveryHandler } from './delivery-handler.js';
import type { SqsBatchResponse, SqsEvent } from './sqs-batch.js';

const config = loadConfig();
const logger = createLogger({ base: { component: 'delivery' } });

/** The SRS key: YUBIN_SRS_SECRET, or the secret the stack names in YUBIN_SRS_SECRET_ARN. */
async function srsSecret(): Promise<string> {
  if (config.srsSecret) return config.srsSecret;
  const arn = config.aws.srsSecretArn;
  if (!arn) throw new Error('the delivery function needs YUBIN_SRS_SECRET or YUBIN_SRS_SECRET_ARN');
  const { SecretString } = await new SecretsManagerClient({ region: config.aws.region }).send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error(`SRS secret ${arn} is empty`);
  return SecretString;
}

// Opened once per container and reused by every invocation it serves.
const ready = Promise.all([openAwsStorage(config.aws), srsSecret()]).then(([storage, srsKey]) =>
  createDeliveryHandler({
    queue: storage.inboundQueue,
    logger,
    deliveryDeps: {
      storage: deliveryStorage(storage, logger),
      hostname: config.hostname,
      dnsResolver: cachedDnsResolver(systemDnsResolver), // one cache per container
      spamScorer: new RuleBasedSpamScorer(),
      createStructureParser: () => createStructureParser(),
      srsSecret: srsKey,
      scratchDir: tmpdir(), // Lambda's /tmp
      logger,
    },
  }),
);

export async function handler(event: SqsEvent): Promise<SqsBatchResponse> {
  return (await ready)(event);
}
