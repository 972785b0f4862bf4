// When the stored certificate needs a successor, and for which names. Pure: reads the PEM with
// node:crypto and decides; the renewal use case acts on the answer.
import { X509Certificate } from 'node:crypto';

const DAY_MS = 24 * 3600_000;

/**
 * The names one certificate covers: the mail host (SMTP, IMAP, POP3) and the HTTPS hosts served by
 * the mail access service with the same certificate: MTA-STS policy (RFC 8461 §3.3), Thunderbird
 * autoconfig and Outlook autodiscover.
 */
export function certificateNames(domain: string, mailHost: string): string[] {
  const names = [mailHost, `mta-sts.${domain}`, `autoconfig.${domain}`, `autodiscover.${domain}`].map((name) => name.toLowerCase());
  return [...new Set(names)];
}

export interface StoredCertificateFacts {
  readonly notAfter: Date;
  /** DNS names of the subjectAltName extension, lower case. */
  readonly dnsNames: readonly string[];
}

/** The leaf (first certificate of the chain) of a PEM bundle. */
export function readCertificateFacts(certPem: string): StoredCertificateFacts {
  const leafPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(certPem)?.[0];
  if (leafPem === undefined) throw new Error('no PEM certificate found');
  const leaf = new X509Certificate(leafPem);
  // subjectAltName reads `DNS:a.example, DNS:b.example, IP Address:…` (RFC 5280 §4.2.1.6).
  const dnsNames = (leaf.subjectAltName ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice('DNS:'.length).toLowerCase());
  return { notAfter: new Date(leaf.validTo), dnsNames };
}

export type RenewalReason = 'no certificate stored' | 'names not covered' | 'expires soon';

/** Why a new certificate is needed now, or null when the stored one is good for longer than `renewBeforeDays`. */
export function renewalReason(
  stored: StoredCertificateFacts | null,
  names: readonly string[],
  now: Date,
  renewBeforeDays: number,
): RenewalReason | null {
  if (stored === null) return 'no certificate stored';
  if (!names.every((name) => stored.dnsNames.includes(name.toLowerCase()))) return 'names not covered';
  if (stored.notAfter.getTime() - now.getTime() < renewBeforeDays * DAY_MS) return 'expires soon';
  return null;
}
