// Composition root of the mail-access container (Fargate task behind the NLB; also run locally):
// IMAP on 143/993 and POP3 on 110/995 over one Storage and one auth throttle, the web endpoints
// on 80/443 (client autoconfig and the MTA-STS policy, core/autoconfig/http-server.ts), and the
// storage housekeeper (frees blobs of expunged mail, prunes bookkeeping rows).
// Trusts: PROXY v2 headers only when YUBIN_PROXY_PROTOCOL=1 (NLB-only listeners). Touches: the
// mail index and directory (read; flags/mailboxes written for the user), the blob store (read;
// APPEND writes; the housekeeper deletes unreferenced blobs), the change feed (watch), the text
// index where one exists (its lazy indexer runs here, reading new messages' text). Never sends mail
// and never reads another user's data.
import { openStorage } from '../../core/adapters/open-storage.js';
import { AuthThrottle } from '../../core/auth/auth-throttle.js';
import { startWebEndpoints } from '../../core/autoconfig/http-server.js';
import type { MailEndpoints } from '../../core/autoconfig/mail-endpoints.js';
import { loadConfig, type YubinConfig } from '../../core/config/index.js';
import { createLogger, type Logger } from '../../core/log/logger.js';
import { startConnectionMetric } from '../../core/log/metrics.js';
import type { Storage } from '../../core/ports/index.js';
import { TextIndexer } from '../../core/search/text-indexer.js';
import { StorageHousekeeper } from '../../core/storage/storage-housekeeper.js';
import { startTlsContext } from '../../core/tls/certificate-source-for.js';
import type { TlsContextProvider } from '../../core/tls/certificates.js';
import { startImapService } from './imap/server.js';
import { startPop3Service } from './pop3/server.js';

export interface MailAccessService {
  readonly ports: {
    readonly imap: number;
    readonly imaps: number | null;
    readonly pop3: number;
    readonly pop3s: number;
    readonly http: number;
    readonly https: number | null;
  };
  activeConnections(): number;
  close(): Promise<void>;
}

export interface MailAccessOptions {
  /** What autoconfig tells clients beyond this service's own ports (`npm start`: the SMTP ports it bound). */
  readonly endpoints?: Partial<MailEndpoints>;
}

/** Starts IMAP, POP3 and the web endpoints over a Storage and TLS context the caller owns (`npm start` shares its own). */
export async function startMailAccess(
  storage: Storage,
  config: YubinConfig,
  logger: Logger,
  tls: TlsContextProvider,
  options: MailAccessOptions = {},
): Promise<MailAccessService> {
  const throttle = new AuthThrottle(storage.attempts);
  const imap = await startImapService({
    storage,
    logger: logger.child({ service: 'imap' }),
    tls,
    throttle,
    config: {
      host: config.listenHost,
      port: config.ports.imap,
      tlsPort: config.ports.imaps,
      hostname: config.hostname,
      maxMessageBytes: config.maxMessageBytes,
      proxyProtocol: config.proxyProtocol,
    },
  });
  const pop3 = await startPop3Service({
    storage,
    logger: logger.child({ service: 'pop3' }),
    tls,
    throttle,
    config: { hostname: config.hostname, listenHost: config.listenHost, ports: config.ports, proxyProtocol: config.proxyProtocol },
  });
  // SEARCH TEXT/BODY reads only the messages this has not indexed yet (docs/imap.md "SEARCH cost").
  const indexer = storage.textIndex ? new TextIndexer(storage.textIndex, storage.blobs, logger.child({ service: 'text-indexer' })) : null;
  indexer?.start();
  // Locally clients reach the ports this process bound; behind the NLB the standard ones (publicEndpoints).
  const boundPorts = config.backend === 'local' ? { imaps: imap.ports.imaps ?? config.ports.imaps, pop3s: pop3.ports.pop3s } : {};
  const web = await startWebEndpoints({
    config,
    logger: logger.child({ service: 'web' }),
    directory: storage.directory,
    tls,
    endpoints: { ...boundPorts, ...options.endpoints },
  });
  // The mail-access role already may delete blobs and write the index; sweeps are idempotent, so every task runs one.
  const housekeeper = new StorageHousekeeper(storage, config.housekeeping, logger.child({ service: 'housekeeping' }));
  housekeeper.start();
  return {
    ports: { ...imap.ports, ...pop3.ports, ...web.ports },
    activeConnections: () => imap.activeConnections() + pop3.activeConnections(),
    async close() {
      await Promise.all([imap.close(), pop3.close(), web.close(), indexer?.stop(), housekeeper.stop()]);
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ base: { component: 'mail-access' } });
  const storage = await openStorage(config, logger);
  const certificates = await startTlsContext(config, logger);
  const service = await startMailAccess(storage, config, logger, certificates.tls);
  logger.info('mail access ready', { ports: service.ports, backend: config.backend });
  // Autoscaling tracks open sessions per task (lib/constructs/fargate-mail-service.ts).
  const metric = startConnectionMetric({ service: 'mail-access', activeConnections: () => service.activeConnections() });
  // ECS sends SIGTERM and waits (stopTimeout) before SIGKILL: drain sessions with BYE first.
  const stop = async () => {
    metric.stop();
    certificates.stop();
    await service.close();
    await storage.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    createLogger().error('mail access failed to start', { error });
    process.exit(1);
  });
}
