// SECURITY: the SMTP container's composition root (Fargate task, or `tsx services/smtp-fargate/main.ts`).
// Does: reads config, opens the adapter set, loads the certificate, starts MX + submission listeners
// and the egress worker (outbound queue → sink/ses/direct/smarthost).
// Trusts: the environment (core/config) and the NLB's PROXY v2 header on AWS; nothing a client sends.
// May touch: the blob store and both queues (write), the directory and mail index (read; egress
// appends to the sender's Outbox and INBOX), the DKIM and smarthost secrets (read), SES / remote
// port 25 / the smarthost by egress mode.
// SIGTERM (ECS stop, Ctrl-C): stop accepting, let sessions finish their message, close, exit 0.
import { smarthostRelaySourceFor } from '../../core/adapters/aws/secrets-manager-smarthost.js';
import { openStorage } from '../../core/adapters/open-storage.js';
import { loadEgressConfig } from '../../core/config/egress.js';
import { loadConfig } from '../../core/config/index.js';
import { loadSmtpPolicyConfig } from '../../core/config/smtp-policy.js';
import { createLogger } from '../../core/log/logger.js';
import { startConnectionMetric } from '../../core/log/metrics.js';
import { startTlsContext } from '../../core/tls/certificate-source-for.js';
import { startEgressWorker } from './egress/worker.js';
import { smtpPolicyOptions } from './policy/policy-settings.js';
import { startSmtpService } from './server.js';

const config = loadConfig();
const logger = createLogger({ base: { service: 'smtp' } });
const storage = await openStorage(config, logger);
const certificates = await startTlsContext(config, logger);
const service = await startSmtpService({
  storage,
  config,
  logger,
  tls: certificates.tls,
  proxyProtocol: config.proxyProtocol, // every NLB target group sends PROXY v2 (brief §8)
  // DNSBL zones, per-IP limits and SPF (reject on AWS, tag locally) from YUBIN_* settings.
  ...smtpPolicyOptions(loadSmtpPolicyConfig(config)),
});
const egressConfig = loadEgressConfig(config);
const smarthostSettings = smarthostRelaySourceFor(config.aws, egressConfig.smarthost);
const egress = startEgressWorker({
  storage,
  config: egressConfig,
  hostname: config.hostname,
  logger: logger.child({ part: 'egress' }),
  ...(smarthostSettings ? { transportDeps: { smarthostSettings } } : {}),
});
// Autoscaling tracks open sessions per task (lib/constructs/fargate-mail-service.ts).
const metric = startConnectionMetric({ service: 'smtp', activeConnections: () => service.activeConnections() });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('draining', { signal });
  certificates.stop();
  metric.stop();
  await service.close();
  await egress.stop();
  await storage.close();
  logger.info('stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
