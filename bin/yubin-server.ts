// `npm start`: the all-in-one local server — SMTP (MX + submission), delivery and egress workers, IMAP, POP3 and
// client autoconfig and the MTA-STS policy over HTTP(S), over one local (or AWS, with YUBIN_BACKEND=aws) adapter set. A composition root: it reads config,
// opens storage and wires the services; nothing below it reads the environment.
// Trusts: its own data dir. Listens on YUBIN_LISTEN_HOST (default 127.0.0.1) only.
import { mkdir } from 'node:fs/promises';
import { openStorage } from '../core/adapters/open-storage.js';
import { loadEgressConfig } from '../core/config/egress.js';
import { loadConfig, type YubinConfig } from '../core/config/index.js';
import { loadSmtpPolicyConfig } from '../core/config/smtp-policy.js';
import { startLocalDelivery } from '../core/delivery/local-delivery.js';
import { provisionFirstRun, type DemoCredentials } from '../core/local/first-run.js';
import { createLogger } from '../core/log/logger.js';
import { startTlsContext } from '../core/tls/certificate-source-for.js';
import { startMailAccess } from '../services/imap-fargate/main.js';
import { startEgressWorker } from '../services/smtp-fargate/egress/worker.js';
import { smtpPolicyOptions } from '../services/smtp-fargate/policy/policy-settings.js';
import { startSmtpService } from '../services/smtp-fargate/server.js';

function connectionTable(config: YubinConfig, ports: Record<string, number | null>, demo: DemoCredentials | null): string {
  const host = config.listenHost;
  const rows = [
    ['SMTP (MX, no auth)', `${host}:${ports.smtp}`],
    ['SMTP submission (STARTTLS)', `${host}:${ports.submission}`],
    ['SMTP submission (TLS)', `${host}:${ports.submissions}`],
    ['IMAP (STARTTLS)', `${host}:${ports.imap}`],
    ['IMAP (TLS)', `${host}:${ports.imaps}`],
    ['POP3 (STLS)', `${host}:${ports.pop3}`],
    ['POP3 (TLS)', `${host}:${ports.pop3s}`],
    ['Autoconfig (HTTP)', `http://${host}:${ports.http}/mail/config-v1.1.xml`],
    ['Autoconfig/MTA-STS (HTTPS)', `https://${host}:${ports.https}/`],
    ['Address', demo?.address ?? '(run `npx yubin user add` to create users)'],
    ['Password', demo?.password ?? '-'],
    ['Data directory', config.dataDir],
  ];
  const width = Math.max(...rows.map(([label]) => label!.length));
  const lines = rows.map(([label, value]) => `  ${label!.padEnd(width)}  ${value}`);
  return [
    '',
    'Yubin is running. Connect a mail client with:',
    ...lines,
    '',
    'TLS uses a self-signed certificate: accept it in the client. Ctrl-C stops.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ pretty: process.stdout.isTTY === true, base: { component: 'yubin' } });
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const storage = await openStorage(config, logger);
  const demo = config.backend === 'local' ? await provisionFirstRun(storage.directory, storage.mailIndex, config.dataDir) : null;

  // One TLS context for every listener: loaded once, reloaded in place on renewal.
  const certificates = await startTlsContext(config, logger);
  const { tls } = certificates;

  const smtp = await startSmtpService({
    storage,
    config,
    logger: logger.child({ service: 'smtp' }),
    tls,
    proxyProtocol: config.proxyProtocol,
    ...smtpPolicyOptions(loadSmtpPolicyConfig(config)),
  });
  const delivery = await startLocalDelivery(storage, config, logger.child({ service: 'delivery' }));
  // Locally the egress mode is `sink` unless YUBIN_EGRESS says otherwise: remote mail lands in Outbox.
  const egressConfig = loadEgressConfig(config);
  // Loaded only when named: the AWS SDK would slow every local start.
  const smarthostSettings =
    config.aws.smarthostSecretArn === undefined
      ? undefined
      : (await import('../core/adapters/aws/secrets-manager-smarthost.js')).smarthostRelaySourceFor(config.aws, egressConfig.smarthost);
  const egress = startEgressWorker({
    storage,
    config: egressConfig,
    hostname: config.hostname,
    logger: logger.child({ service: 'egress' }),
    ...(smarthostSettings ? { transportDeps: { smarthostSettings } } : {}),
  });
  // Autoconfig documents name the SMTP ports this process bound (0 in the configuration picks free ones).
  const access = await startMailAccess(storage, config, logger, tls, {
    endpoints: { submission: smtp.ports.submission, submissions: smtp.ports.submissions ?? config.ports.submissions },
  });
  process.stdout.write(connectionTable(config, { ...smtp.ports, ...access.ports }, demo) + '\n');
  logger.info('ready', { backend: config.backend, dataDir: config.dataDir });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    certificates.stop();
    await Promise.allSettled([smtp.close(), access.close()]);
    await delivery.stop();
    await egress.stop();
    await storage.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  createLogger().error('yubin failed to start', { error });
  process.exit(1);
});
