// Settings of the SMTP service's policy, read from the environment beside loadConfig(): DNS
// blocklists, per-IP limits (the counterparts of Postfix's anvil settings) and SPF at MAIL FROM.
// The shape matches services/smtp-fargate/policy/policy-settings.ts, where each field is documented
// (services may not import config).
import { intFrom, listFrom, type Env, type YubinConfig } from './index.js';

export type SpfMode = 'off' | 'tag' | 'reject';
const SPF_MODES: readonly SpfMode[] = ['off', 'tag', 'reject'];

export function loadSmtpPolicyConfig(config: Pick<YubinConfig, 'backend'>, env: Env = process.env) {
  // On AWS the MX faces the internet and has DNS: SPF fail is refused. Locally there may be no DNS
  // worth trusting (laptops, CI): the result is only recorded for delivery's Authentication-Results.
  const spf = (env.YUBIN_SPF || (config.backend === 'aws' ? 'reject' : 'tag')) as SpfMode;
  if (!SPF_MODES.includes(spf)) throw new Error(`YUBIN_SPF must be one of ${SPF_MODES.join(', ')}, got ${JSON.stringify(spf)}`);
  return {
    dnsblZones: listFrom(env, 'YUBIN_DNSBL_ZONES'),
    dnsServers: listFrom(env, 'YUBIN_SMTP_DNS_SERVERS'),
    connectionsPerMinutePerIp: intFrom(env, 'YUBIN_SMTP_CONNECTION_RATE', 600),
    messagesPerMinutePerIp: intFrom(env, 'YUBIN_SMTP_MESSAGE_RATE', 6_000),
    maxConnectionsPerIp: intFrom(env, 'YUBIN_SMTP_MAX_CONNECTIONS_PER_IP', 50),
    maxConnections: intFrom(env, 'YUBIN_SMTP_MAX_CONNECTIONS', 2_000),
    spf,
  };
}
