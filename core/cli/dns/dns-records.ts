// Every DNS record a hosted domain needs, built from the deployment's facts (pure: no lookups).
// `yubin dns` prints them; `yubin dns check` resolves each and compares with `recordMatches`.
import { createPublicKey } from 'node:crypto';
import { mtaStsPolicyId, mtaStsPolicyText } from '../../autoconfig/mta-sts-policy.js';
import type { DkimKey } from '../../ports/index.js';
import type { Deployment } from '../cli-context.js';

/** What a record is for; `dns check` reports by this name. */
export type RecordPurpose =
  | 'mx'
  | 'mail-host-address'
  | 'spf'
  | 'dkim'
  | 'dmarc'
  | 'mta-sts'
  | 'mta-sts-policy-host'
  | 'tls-rpt'
  | 'srv'
  | 'autoconfig'
  | 'autodiscover';

interface RecordBase {
  readonly purpose: RecordPurpose;
  /** Fully qualified, lower case, without the trailing dot. */
  readonly name: string;
}

export type DnsRecord =
  | (RecordBase & { readonly type: 'MX'; readonly priority: number; readonly exchange: string })
  | (RecordBase & { readonly type: 'A' | 'AAAA'; readonly address: string })
  | (RecordBase & { readonly type: 'TXT'; readonly text: string })
  | (RecordBase & { readonly type: 'CNAME'; readonly target: string })
  | (RecordBase & {
      readonly type: 'SRV';
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    });

export interface DomainRecordOptions {
  readonly domain: string;
  readonly deployment: Deployment;
  readonly dkimKey: DkimKey | null;
  /** Where DMARC aggregate (RFC 7489 §7.2) and TLS-RPT (RFC 8460 §3) reports go. */
  readonly reportAddress?: string;
}

export interface DomainRecords {
  readonly records: readonly DnsRecord[];
  /** Served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt (RFC 8461 §3.2). */
  readonly mtaStsPolicy: string;
}

/** The p= value: base64 SubjectPublicKeyInfo for RSA (RFC 6376 §3.6.1), raw key for Ed25519 (RFC 8463 §4.2). */
export function dkimPublicKeyBase64(key: DkimKey): string {
  const publicKey = createPublicKey(key.privateKeyPem);
  if (key.algorithm === 'ed25519-sha256') {
    const jwk = publicKey.export({ format: 'jwk' });
    return Buffer.from(jwk.x ?? '', 'base64url').toString('base64');
  }
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

export function dkimRecord(key: DkimKey): DnsRecord {
  const keyType = key.algorithm === 'ed25519-sha256' ? 'ed25519' : 'rsa';
  return {
    purpose: 'dkim',
    type: 'TXT',
    name: `${key.selector}._domainkey.${key.domain}`,
    text: `v=DKIM1; k=${keyType}; p=${dkimPublicKeyBase64(key)}`,
  };
}

/** RFC 7208: `mx` covers the inbound host, ip4/ip6 the sending addresses, SES its own include. */
function spfText(deployment: Deployment): string {
  const terms = ['v=spf1', 'mx'];
  for (const address of deployment.publicAddresses) terms.push(address.includes(':') ? `ip6:${address}` : `ip4:${address}`);
  if (deployment.egress === 'ses') terms.push('include:amazonses.com');
  terms.push('-all');
  return terms.join(' ');
}

export function domainRecords(options: DomainRecordOptions): DomainRecords {
  const { domain, deployment } = options;
  const host = deployment.endpoints.hostname.toLowerCase();
  const { endpoints } = deployment;
  const reports = options.reportAddress ?? `postmaster@${domain}`;
  const policy = mtaStsPolicyText(host, deployment.mtaStsMode);
  const srv = (service: string, priority: number, port: number): DnsRecord =>
    // RFC 6186 §4: target "." says the service is not offered (cleartext IMAP/POP3, RFC 8314 §5.1).
    ({
      purpose: 'srv',
      type: 'SRV',
      name: `_${service}._tcp.${domain}`,
      priority,
      weight: port === 0 ? 0 : 1,
      port,
      target: port === 0 ? '.' : host,
    });
  const records: DnsRecord[] = [
    { purpose: 'mx', type: 'MX', name: domain, priority: 10, exchange: host },
    ...deployment.publicAddresses.map((address): DnsRecord => ({
      purpose: 'mail-host-address',
      type: address.includes(':') ? 'AAAA' : 'A',
      name: host,
      address,
    })),
    { purpose: 'spf', type: 'TXT', name: domain, text: spfText(deployment) },
    ...(options.dkimKey ? [dkimRecord(options.dkimKey)] : []),
    { purpose: 'dmarc', type: 'TXT', name: `_dmarc.${domain}`, text: `v=DMARC1; p=quarantine; rua=mailto:${reports}` },
    { purpose: 'mta-sts', type: 'TXT', name: `_mta-sts.${domain}`, text: `v=STSv1; id=${mtaStsPolicyId(policy)}` },
    { purpose: 'mta-sts-policy-host', type: 'CNAME', name: `mta-sts.${domain}`, target: host },
    { purpose: 'tls-rpt', type: 'TXT', name: `_smtp._tls.${domain}`, text: `v=TLSRPTv1; rua=mailto:${reports}` },
    srv('submissions', 0, endpoints.submissions),
    srv('submission', 10, endpoints.submission),
    srv('imaps', 0, endpoints.imaps),
    srv('imap', 0, 0),
    srv('pop3s', 10, endpoints.pop3s),
    srv('pop3', 0, 0),
    { purpose: 'autoconfig', type: 'CNAME', name: `autoconfig.${domain}`, target: host },
    { purpose: 'autodiscover', type: 'CNAME', name: `autodiscover.${domain}`, target: host },
  ];
  return { records, mtaStsPolicy: policy };
}
