// Where mail clients reach the platform: one host name and the TLS-first ports of RFC 8314. Shared by
// the autoconfig documents and `yubin dns` (SRV records, RFC 6186), so both always say the same.

export interface MailEndpoints {
  readonly hostname: string;
  readonly imaps: number;
  readonly pop3s: number;
  /** Message submission with STARTTLS (RFC 6409). */
  readonly submission: number;
  /** Message submission over implicit TLS (RFC 8314 §3.3). */
  readonly submissions: number;
}

/** The deployed ports behind the AWS load balancer: the standard ones. */
export const STANDARD_PORTS = { imaps: 993, pop3s: 995, submission: 587, submissions: 465 } as const;
