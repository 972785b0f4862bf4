// Wiring of the local delivery host for `npm start`: the worker over the local inbound queue with the
// default parts (system DNS behind a short cache, the rule-based spam scorer, core/mime). The SRS key is kept in the data
// dir so forwarded mail's bounces still reverse after a restart.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { YubinConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { createStructureParser } from '../mime/index.js';
import type { Storage } from '../ports/index.js';
import { cachedDnsResolver, systemDnsResolver } from './cached-dns-resolver.js';
import { deliveryStorage, type DeliveryDeps } from './deliver-inbound-job.js';
import type { DnsResolver } from './message-authentication.js';
import { RuleBasedSpamScorer } from './spam/rule-based-spam-scorer.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from './worker.js';

async function localSrsSecret(config: YubinConfig): Promise<string> {
  if (config.srsSecret) return config.srsSecret;
  const file = path.join(config.dataDir, 'srs-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' }).catch(() => undefined); // another process may win
    return (await readFile(file, 'utf8')).trim();
  }
}

export async function localDeliveryDeps(
  storage: Storage,
  config: YubinConfig,
  logger: Logger,
  resolveDns: DnsResolver = systemDnsResolver,
): Promise<DeliveryDeps> {
  return {
    storage: deliveryStorage(storage, logger),
    hostname: config.hostname,
    dnsResolver: cachedDnsResolver(resolveDns),
    spamScorer: new RuleBasedSpamScorer(),
    createStructureParser: () => createStructureParser(),
    srsSecret: await localSrsSecret(config),
    scratchDir: null, // the blob store is on this machine: reading the spool twice beats writing a copy
    logger,
  };
}

/** Starts delivering from the local inbound queue; stop() it on shutdown. */
export async function startLocalDelivery(
  storage: Storage,
  config: YubinConfig,
  logger: Logger,
  options: Partial<Pick<DeliveryWorkerOptions, 'concurrency' | 'waitSeconds'>> = {},
): Promise<DeliveryWorker> {
  const worker = new DeliveryWorker({
    queue: storage.inboundQueue,
    deps: await localDeliveryDeps(storage, config, logger),
    logger,
    ...options,
  });
  worker.start();
  return worker;
}
