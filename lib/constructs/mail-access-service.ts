// The mail access service: IMAP (143, 993), POP3 (110, 995) and the web endpoints (80, 443: client
// autoconfig and the MTA-STS policy) on Fargate. APPEND, flags, MOVE and EXPUNGE write the signed-in
// user's own mailboxes and blobs; it has no queue, SES or DKIM access.
import type { Construct } from 'constructs';
import { loadConfig, type MtaStsMode } from '../../core/config/index.js';
import { FargateMailService, type SharedServiceProps } from './fargate-mail-service.js';
import type { MailSecrets } from './mail-secrets.js';
import type { MailStorage } from './storage.js';

/** The local defaults of core/config, so one configuration serves containers and laptops. */
const DEFAULTS = loadConfig({});
const PORTS = DEFAULTS.ports;

export interface MailAccessServiceProps extends SharedServiceProps {
  readonly storage: MailStorage;
  readonly secrets: MailSecrets;
  /** The mode of the MTA-STS policy served on mta-sts.DOMAIN (RFC 8461 §5). */
  readonly mtaStsMode: MtaStsMode;
}

export class MailAccessService extends FargateMailService {
  constructor(scope: Construct, id: string, props: MailAccessServiceProps) {
    const { storage, secrets, environment, mtaStsMode, ...shared } = props;
    super(scope, id, {
      ...shared,
      serviceName: 'mail-access',
      dockerfile: 'services/imap-fargate/Dockerfile',
      bundles: ['imap-fargate', 'health-probe'],
      ports: [
        { name: 'imap', containerPort: PORTS.imap },
        { name: 'imaps', containerPort: PORTS.imaps },
        { name: 'pop3', containerPort: PORTS.pop3 },
        { name: 'pop3s', containerPort: PORTS.pop3s },
        { name: 'http', containerPort: DEFAULTS.autoconfigPort },
        { name: 'https', containerPort: DEFAULTS.httpsPort },
      ],
      environment: {
        ...environment,
        YUBIN_IMAP_PORT: String(PORTS.imap),
        YUBIN_IMAPS_PORT: String(PORTS.imaps),
        YUBIN_POP3_PORT: String(PORTS.pop3),
        YUBIN_POP3S_PORT: String(PORTS.pop3s),
        YUBIN_AUTOCONFIG_PORT: String(DEFAULTS.autoconfigPort),
        YUBIN_HTTPS_PORT: String(DEFAULTS.httpsPort),
        YUBIN_MTA_STS_MODE: mtaStsMode,
      },
    });
    storage.grantReadWrite(this.taskDefinition.taskRole);
    secrets.grantReadCertificate(this.taskDefinition.taskRole);
  }
}
