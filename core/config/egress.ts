// Settings of the egress worker (outbound delivery), read from the environment beside loadConfig():
// how mail leaves (design brief §3), how long it is retried, and the limits that protect our reputation.
import type { EgressMode, YubinConfig } from './index.js';

export interface SmarthostSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is required. */
  readonly implicitTls: boolean;
  readonly user?: string;
  readonly password?: string;
}

export interface EgressConfig {
  readonly mode: EgressMode;
  /** Retries stop this long after the first attempt (default 5 days, the usual MTA queue lifetime). */
  readonly expirySeconds: number;
  /** First retry delay; each later one doubles, up to maxRetryDelaySeconds. */
  readonly retryBaseDelaySeconds: number;
  readonly maxRetryDelaySeconds: number;
  /** Send one "still trying" DSN after this long; 0 = never. */
  readonly delayNoticeAfterSeconds: number;
  /** Recipients one user may send to per UTC day; 0 = no cap. */
  readonly dailyRecipientCap: number;
  /** Simultaneous SMTP sessions to one destination domain (large providers throttle more). */
  readonly perDomainConcurrency: number;
  /** Messages per minute to one destination domain. */
  readonly perDomainMessagesPerMinute: number;
  /** Resolvers for MX lookups, `ip` or `ip:port`; empty = the system's. */
  readonly dnsServers: readonly string[];
  /** Port of remote MX hosts (25; tests point it at a loopback port). */
  readonly remoteSmtpPort: number;
  readonly smarthost?: SmarthostSettings;
  /** SESv2 endpoint override (a local stand-in in tests). */
  readonly sesEndpoint?: string;
  readonly sesRegion: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function count(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

function smarthostFrom(env: Env): SmarthostSettings | undefined {
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

/** The mode comes from loadConfig() (YUBIN_EGRESS); the rest from YUBIN_EGRESS_* and YUBIN_SMARTHOST*. */
export function loadEgressConfig(config: Pick<YubinConfig, 'egress' | 'aws'>, env: Env = process.env): EgressConfig {
  const mode = config.egress;
  const smarthost = smarthostFrom(env);
  if (mode === 'smarthost' && !smarthost) throw new Error('YUBIN_EGRESS=smarthost needs YUBIN_SMARTHOST=host:port');
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
