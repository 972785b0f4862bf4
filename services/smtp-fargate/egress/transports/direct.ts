// `direct` egress: straight to each recipient domain's MX hosts (RFC 5321 §5), recipients grouped per
// domain into one session, opportunistic STARTTLS, MTA-STS enforced (RFC 8461), REQUIRETLS honoured
// (RFC 8689; tls-requirement.ts), per-domain limits.
import type { ConnectionOptions } from 'node:tls';
import { domainOf } from '../../../../core/mail/address.js';
import type { DomainLimiter } from '../limits.js';
import type { MtaStsPolicies } from '../mta-sts.js';
import type { MxResolver } from '../mx-resolver.js';
import { deliverOverSmtp } from '../smtp-delivery.js';
import { planTls } from '../tls-requirement.js';
import { sameResultForAll, type EgressTransport, type OutboundMessage, type RecipientResult } from '../transport.js';

export interface DirectTransportOptions {
  readonly heloName: string;
  readonly mx: MxResolver;
  readonly mtaSts: MtaStsPolicies;
  readonly limiter: DomainLimiter;
  /** 25 on the internet; tests use a loopback port. */
  readonly port: number;
  /** Extra TLS options (tests trust their own CA here). */
  readonly tlsOptions?: ConnectionOptions;
}

function groupByDomain(recipients: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const recipient of recipients) {
    const domain = domainOf(recipient);
    groups.set(domain, [...(groups.get(domain) ?? []), recipient]);
  }
  return groups;
}

export class DirectTransport implements EgressTransport {
  readonly mode = 'direct';

  constructor(private readonly options: DirectTransportOptions) {}

  async send(message: OutboundMessage): Promise<RecipientResult[]> {
    const groups = [...groupByDomain(message.recipients)];
    const perDomain = await Promise.all(
      groups.map(([domain, recipients]) => this.options.limiter.run(domain, () => this.sendToDomain(domain, message, recipients))),
    );
    return perDomain.flat();
  }

  private async sendToDomain(domain: string, message: OutboundMessage, recipients: readonly string[]): Promise<RecipientResult[]> {
    const destination = await this.options.mx.resolve(domain);
    switch (destination.kind) {
      case 'null-mx':
        // RFC 7505 §4.1: fail at once, no retries.
        return sameResultForAll(recipients, {
          outcome: 'failed',
          status: '5.1.10',
          reply: `556 5.1.10 ${domain} accepts no mail (null MX, RFC 7505)`,
        });
      case 'unknown-host':
        return sameResultForAll(recipients, {
          outcome: 'failed',
          status: '5.4.4',
          reply: `550 5.4.4 Host unknown: ${domain} has no MX or address records`,
        });
      case 'dns-failure':
        return sameResultForAll(recipients, {
          outcome: 'deferred',
          status: '4.4.3',
          reply: `451 4.4.3 DNS lookup for ${domain} failed: ${destination.detail}`,
        });
      case 'hosts':
        break;
    }
    const plan = await planTls(domain, destination.hosts, message, this.options.mtaSts);
    if (plan.kind === 'refuse') return sameResultForAll(recipients, plan.result);
    const latest = new Map<string, RecipientResult>();
    let pending: readonly string[] = recipients;
    // RFC 5321 §5.1: try the hosts by preference (and each host's addresses) until every recipient
    // is decided. A recipient goes on to the next server when this one could not decide it: no
    // session, a 4xx or a lost connection, or (RFC 8689 §4.2.1) a host that cannot keep REQUIRETLS.
    // A 5xx from a server that answered is final. The last server tried names the failure in the DSN.
    for (const host of plan.hosts) {
      for (const address of host.addresses) {
        const report = await deliverOverSmtp(
          {
            address,
            port: this.options.port,
            hostname: host.hostname,
            heloName: this.options.heloName,
            tls: plan.tls,
            requireTlsExtension: plan.requireTlsExtension,
            tlsOptions: this.options.tlsOptions,
          },
          message,
          pending,
        );
        for (const result of report.results) latest.set(result.recipient, result);
        const wholeHostFailed = !report.sessionOpened || report.hostUnqualified;
        pending = report.results.filter((result) => wholeHostFailed || result.outcome === 'deferred').map((result) => result.recipient);
        if (pending.length === 0) return recipients.map((recipient) => latest.get(recipient)!);
      }
    }
    return recipients.map((recipient) => latest.get(recipient)!);
  }

  async close(): Promise<void> {}
}
