// The SMTP service: MX ingress (25), submission (587, 465) and the egress worker, on Fargate. It spools
// messages and queues jobs but never writes a mailbox or deletes a message: delivery is the only
// writer (STYLE.md habit 6). These grants are everything it may touch.
import type { Construct } from 'constructs';
import { loadConfig } from '../../core/config/index.js';
import type { MailEgress } from './egress.js';
import { FargateMailService, type SharedServiceProps } from './fargate-mail-service.js';
import type { MailSecrets } from './mail-secrets.js';
import type { JobQueues } from './queues.js';
import type { MailStorage } from './storage.js';

/** The local defaults of core/config, so one configuration serves containers and laptops. */
const PORTS = loadConfig({}).ports;

/** The SMTP policy knobs an operator may set (docs/smtp.md); absent ones keep core/config's defaults. */
export interface SmtpPolicyProps {
  /** DNSBL zones checked at connect, e.g. `zen.spamhaus.org` (YUBIN_DNSBL_ZONES). Default: none. */
  readonly dnsblZones?: readonly string[];
  /** New connections per client IP per minute per task (YUBIN_SMTP_CONNECTION_RATE). Default: 600. */
  readonly connectionsPerMinutePerIp?: number;
  /** Messages per client IP per minute per task (YUBIN_SMTP_MESSAGE_RATE). Default: 6,000. */
  readonly messagesPerMinutePerIp?: number;
  /** Simultaneous connections per client IP per task (YUBIN_SMTP_MAX_CONNECTIONS_PER_IP). Default: 50. */
  readonly maxConnectionsPerIp?: number;
}

export interface SmtpServiceProps extends SharedServiceProps {
  readonly storage: MailStorage;
  readonly queues: JobQueues;
  readonly secrets: MailSecrets;
  readonly egress: MailEgress;
  readonly policy?: SmtpPolicyProps;
}

/** Only what the operator set becomes container env, so the defaults live in one place (core/config). */
function policyEnvironment(policy: SmtpPolicyProps): Record<string, string> {
  const entries: [string, string | undefined][] = [
    ['YUBIN_DNSBL_ZONES', policy.dnsblZones?.length ? policy.dnsblZones.join(',') : undefined],
    ['YUBIN_SMTP_CONNECTION_RATE', policy.connectionsPerMinutePerIp?.toString()],
    ['YUBIN_SMTP_MESSAGE_RATE', policy.messagesPerMinutePerIp?.toString()],
    ['YUBIN_SMTP_MAX_CONNECTIONS_PER_IP', policy.maxConnectionsPerIp?.toString()],
  ];
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export class SmtpService extends FargateMailService {
  constructor(scope: Construct, id: string, props: SmtpServiceProps) {
    const { storage, queues, secrets, egress, policy, environment, ...shared } = props;
    super(scope, id, {
      ...shared,
      serviceName: 'smtp',
      dockerfile: 'services/smtp-fargate/Dockerfile',
      bundles: ['smtp-fargate', 'health-probe'],
      ports: [
        { name: 'smtp', containerPort: PORTS.smtp },
        { name: 'submission', containerPort: PORTS.submission },
        { name: 'submissions', containerPort: PORTS.submissions },
      ],
      environment: {
        ...environment,
        YUBIN_SMTP_PORT: String(PORTS.smtp),
        YUBIN_SUBMISSION_PORT: String(PORTS.submission),
        YUBIN_SUBMISSIONS_PORT: String(PORTS.submissions),
        YUBIN_EGRESS: egress.mode,
        YUBIN_DKIM_SECRET_ARN: secrets.dkimKeys.secretArn,
        ...(secrets.smarthostCredentials === undefined ? {} : { YUBIN_SMARTHOST_SECRET_ARN: secrets.smarthostCredentials.secretArn }),
        ...policyEnvironment(policy ?? {}),
      },
    });
    const role = this.taskDefinition.taskRole;
    storage.grantSpoolAndLookup(role);
    storage.grantAttemptCounting(role); // AUTH failures, shared with the other tasks
    queues.inbound.grantSendMessages(role);
    queues.outbound.grantSendMessages(role);
    queues.outbound.grantConsumeMessages(role); // the egress worker
    secrets.grantReadCertificate(role);
    secrets.grantReadEgressSecrets(role);
    egress.grantSend(role);
  }
}
