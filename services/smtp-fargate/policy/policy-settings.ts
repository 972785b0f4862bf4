// What an operator sets about the SMTP policy (core/config/smtp-policy.ts reads it from YUBIN_*),
// turned into the options of startSmtpService: the DNS resolver for DNSBL and SPF, the rate limits
// and connection caps, and the SPF mode. Composition roots (main.ts, `npm start`) call this.
import type { DNSResolver } from 'mailauth';
import { createResolver } from '../../../core/net/dns-resolver.js';
import type { SmtpServiceOptions } from '../server.js';
import type { RateLimit } from './rate-limit.js';

export interface SmtpPolicySettings {
  /** DNSBL zones checked at connect (RFC 5782), e.g. `zen.spamhaus.org`; none by default. */
  readonly dnsblZones: readonly string[];
  /** Resolvers for DNSBL and SPF, `ip` or `ip:port`; empty = the system's. */
  readonly dnsServers: readonly string[];
  /** New connections per client IP per minute (Postfix smtpd_client_connection_rate_limit); 0 = no limit. */
  readonly connectionsPerMinutePerIp: number;
  /** MAIL commands per client IP per minute (smtpd_client_message_rate_limit); 0 = no limit. */
  readonly messagesPerMinutePerIp: number;
  /** Simultaneous connections per client IP (smtpd_client_connection_count_limit, 50); 0 = no limit. */
  readonly maxConnectionsPerIp: number;
  /** Simultaneous connections per process; 0 = no limit. */
  readonly maxConnections: number;
  /** SPF at MAIL FROM on MX: `off` not checked, `tag` recorded for delivery only, `reject` fail → 554 5.7.1. */
  readonly spf: 'off' | 'tag' | 'reject';
}

function perMinute(max: number): RateLimit | null {
  return max === 0 ? null : { max, windowMs: 60_000 };
}

function cap(max: number): number {
  return max === 0 ? Number.POSITIVE_INFINITY : max;
}

export function smtpPolicyOptions(settings: SmtpPolicySettings): Pick<SmtpServiceOptions, 'policy' | 'connections'> {
  const resolver = createResolver(settings.dnsServers);
  // mailauth asks (name, type) like dns.promises.resolve; node's answer shapes are what it expects.
  const spfResolver: DNSResolver = (name, rrtype) => resolver.resolve(name, rrtype) as Promise<string[][] | string[]>;
  return {
    policy: {
      connectionRate: perMinute(settings.connectionsPerMinutePerIp),
      messageRate: perMinute(settings.messagesPerMinutePerIp),
      dnsblZones: settings.dnsblZones,
      resolveA: (name) => resolver.resolve4(name),
      ...(settings.spf === 'off' ? {} : { spf: { resolver: spfResolver, rejectFail: settings.spf === 'reject' } }),
    },
    connections: { maxConnections: cap(settings.maxConnections), maxConnectionsPerIp: cap(settings.maxConnectionsPerIp) },
  };
}
