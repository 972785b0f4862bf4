// How direct egress must use TLS for one message to one domain: which MX hosts it may use, whether
// STARTTLS with a valid certificate is required, and whether REQUIRETLS goes on to the next hop.
// Three sources decide it: the message's REQUIRETLS (RFC 8689 §4.2.1), the domain's MTA-STS policy
// (RFC 8461 §5) and the message's `TLS-Required: No` header (RFC 8689 §5).
import { mxAllowedByPolicy, type MtaStsPolicies } from './mta-sts.js';
import type { MxHost } from './mx-resolver.js';
import type { OutboundMessage, RecipientResult } from './transport.js';

export type TlsPlan =
  | {
      readonly kind: 'send';
      readonly hosts: readonly MxHost[];
      /** `required`: STARTTLS with a certificate valid for the MX host name, or no delivery. */
      readonly tls: 'opportunistic' | 'required';
      /** Send `MAIL FROM … REQUIRETLS`; a host that does not offer it gets nothing (5.7.30). */
      readonly requireTlsExtension: boolean;
    }
  | { readonly kind: 'refuse'; readonly result: Omit<RecipientResult, 'recipient'> };

function refuse(outcome: 'failed' | 'deferred', status: string, reply: string): TlsPlan {
  return { kind: 'refuse', result: { outcome, status, reply } };
}

/**
 * RFC 8689 §4.2.1: the MX set must be authenticated (DNSSEC or MTA-STS) before a REQUIRETLS message
 * goes to it. We have no DNSSEC validation and no DANE, so only an MTA-STS policy naming the MX
 * hosts authenticates them; its mode (enforce or testing) does not matter for this message.
 */
async function planRequireTls(domain: string, hosts: readonly MxHost[], mtaSts: MtaStsPolicies): Promise<TlsPlan> {
  const found = await mtaSts.lookup(domain);
  if (found.kind === 'unavailable') {
    return refuse('deferred', '4.7.5', `451 4.7.5 REQUIRETLS: the MTA-STS policy of ${domain} could not be fetched; will retry`);
  }
  if (found.kind === 'none' || found.policy.mode === 'none') {
    return refuse(
      'failed',
      '5.7.10',
      `550 5.7.10 REQUIRETLS: the mail servers of ${domain} cannot be authenticated (no MTA-STS policy; DNSSEC and DANE are not checked here)`,
    );
  }
  const asEnforced = { ...found.policy, mode: 'enforce' as const };
  const allowed = hosts.filter((host) => mxAllowedByPolicy(host.hostname, asEnforced));
  if (allowed.length === 0) {
    return refuse('failed', '5.7.10', `550 5.7.10 REQUIRETLS: the MTA-STS policy of ${domain} names none of its MX hosts`);
  }
  return { kind: 'send', hosts: allowed, tls: 'required', requireTlsExtension: true };
}

export async function planTls(domain: string, hosts: readonly MxHost[], message: OutboundMessage, mtaSts: MtaStsPolicies): Promise<TlsPlan> {
  // RFC 8689 §4.1: with REQUIRETLS on the envelope a TLS-Required header is ignored.
  if (message.requireTls) return planRequireTls(domain, hosts, mtaSts);
  const policy = await mtaSts.policyFor(domain);
  // RFC 8689 §5: `TLS-Required: No` asks us to deliver despite MTA-STS failures, so the policy
  // neither narrows the MX set nor demands a valid certificate (STARTTLS is still used if offered).
  if (policy?.mode !== 'enforce' || (await message.tlsOptional())) {
    return { kind: 'send', hosts, tls: 'opportunistic', requireTlsExtension: false };
  }
  // RFC 8461 §5: in enforce mode only the MX hosts the policy names, and only over valid TLS.
  const allowed = hosts.filter((host) => mxAllowedByPolicy(host.hostname, policy));
  if (allowed.length === 0) return refuse('deferred', '4.7.5', `451 4.7.5 MTA-STS policy of ${domain} matches none of its MX hosts`);
  return { kind: 'send', hosts: allowed, tls: 'required', requireTlsExtension: false };
}
