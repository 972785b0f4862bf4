// Where mail clients reach the platform: one host name and the TLS-first ports of RFC 8314, plus the
// HTTPS port of the web listener. Shared by the autoconfig documents, the web listener's redirects and
// `yubin dns` (SRV records, RFC 6186), so all of them always say the same.
import type { YubinConfig } from '../config/index.js';

export interface MailEndpoints {
  readonly hostname: string;
  readonly imaps: number;
  readonly pop3s: number;
  /** Message submission with STARTTLS (RFC 6409). */
  readonly submission: number;
  /** Message submission over implicit TLS (RFC 8314 §3.3). */
  readonly submissions: number;
  /** Autoconfig over TLS and the MTA-STS policy (RFC 8461 §3.3). */
  readonly https: number;
}

/** The deployed ports behind the AWS load balancer: the standard ones. */
export const STANDARD_PORTS = { imaps: 993, pop3s: 995, submission: 587, submissions: 465, https: 443 } as const;

/** Behind the AWS NLB clients use the standard ports (RFC 8314, RFC 6409); locally the configured ones. */
export function publicEndpoints(config: Pick<YubinConfig, 'backend' | 'hostname' | 'ports' | 'httpsPort'>): MailEndpoints {
  if (config.backend === 'aws') return { hostname: config.hostname, ...STANDARD_PORTS };
  const { imaps, pop3s, submission, submissions } = config.ports;
  return { hostname: config.hostname, imaps, pop3s, submission, submissions, https: config.httpsPort };
}
