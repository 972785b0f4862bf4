// What the renewal needs from the outside world, as narrow ports: a DNS zone that can carry the
// DNS-01 TXT records, and two small secret stores. The AWS adapters are Route 53 and Secrets Manager.
import type { CertificatePem } from '../tls/certificates.js';

/** One DNS-01 record (RFC 8555 §8.4): TXT `_acme-challenge.<name>` = base64url(SHA-256(key authorization)). */
export interface DnsChallengeRecord {
  readonly name: string;
  readonly value: string;
}

export interface ChallengeRecordZone {
  /** Creates or replaces the records and resolves once the zone's authoritative servers answer them. */
  publish(records: readonly DnsChallengeRecord[]): Promise<void>;
  /** Removes records that publish() wrote. */
  remove(records: readonly DnsChallengeRecord[]): Promise<void>;
}

/** The pair the services read, and which ACME directory issued it (absent: stored by someone else). */
export interface StoredCertificate extends CertificatePem {
  readonly acmeDirectoryUrl?: string;
}

/** The TLS pair the services poll: null while none is stored. */
export interface CertificateStore {
  load(): Promise<StoredCertificate | null>;
  save(stored: StoredCertificate): Promise<void>;
}

/** The ACME account's private key (RFC 8555 §7.3): the account is the key; null before the first run. */
export interface AcmeAccountKeyStore {
  load(): Promise<string | null>;
  save(accountKeyPem: string): Promise<void>;
}

export function challengeRecordName(identifier: string): string {
  return `_acme-challenge.${identifier.toLowerCase()}`;
}
