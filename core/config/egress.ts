// Settings of the egress worker (outbound delivery), read from the environment beside loadConfig():
// how mail leaves (design brief §3), how long it is retried, and the limits that protect our reputation.
import type { YubinConfig } from './index.js';

// The meaning of each field is documented where it is used: services/smtp-fargate/egress/egress-settings.ts
// (services may not import config, so the worker declares the shape it needs and this matches it).

type Env = Readonly<Record<string, string | undefined>>;

function count(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

function smarthostFrom(env: Env) {
  const target = env.YUBIN_SMARTHOST;
  if (!target) return undefined;
  const [host = '', port = '587'] = target.split(':');
  return {
    host,
    port: count({ port }, 'port', 587),
    implicitTls: env.YUBIN_SMARTHOST_TLS === 'implicit',
    user: env.YUBIN_SMARTHOST_USER || undefined,
    password: env.YUBIN_SMARTHOST_PASSWORD || undefined,
  };
}

/**
 * The mode comes from loadConfig() (YUBIN_EGRESS); the rest from YUBIN_EGRESS_* and YUBIN_SMARTHOST*.
 * With YUBIN_SMARTHOST_SECRET_ARN the relay's settings may come from that secret instead (read at run time
 * by core/adapters/aws/secrets-manager-smarthost.ts), so smarthost mode needs no YUBIN_SMARTHOST then.
 */
export function loadEgressConfig(config: Pick<YubinConfig, 'egress' | 'aws'>, env: Env = process.env) {
  const mode = config.egress;
  const smarthost = smarthostFrom(env);
  if (mode === 'smarthost' && !smarthost && config.aws.smarthostSecretArn === undefined)
    throw new Error('YUBIN_EGRESS=smarthost needs YUBIN_SMARTHOST=host:port or YUBIN_SMARTHOST_SECRET_ARN');
  return {
    mode,
    expirySeconds: count(env, 'YUBIN_EGRESS_EXPIRY_SECONDS', 5 * 24 * 3600),
    retryBaseDelaySeconds: count(env, 'YUBIN_EGRESS_RETRY_BASE_SECONDS', 300),
    maxRetryDelaySeconds: count(env, 'YUBIN_EGRESS_RETRY_MAX_SECONDS', 6 * 3600),
    delayNoticeAfterSeconds: count(env, 'YUBIN_EGRESS_DELAY_NOTICE_SECONDS', 4 * 3600),
    dailyRecipientCap: count(env, 'YUBIN_EGRESS_DAILY_RECIPIENT_CAP', 1000),
    perDomainConcurrency: Math.max(1, count(env, 'YUBIN_EGRESS_DOMAIN_CONCURRENCY', 4)),
    perDomainMessagesPerMinute: count(env, 'YUBIN_EGRESS_DOMAIN_PER_MINUTE', 600),
    dnsServers: (env.YUBIN_EGRESS_DNS_SERVERS ?? '')
      .split(',')
      .map((server) => server.trim())
      .filter((server) => server !== ''),
    remoteSmtpPort: count(env, 'YUBIN_EGRESS_REMOTE_PORT', 25),
    smarthost,
    sesEndpoint: env.YUBIN_SES_ENDPOINT || undefined,
    sesRegion: config.aws.region,
  };
}
