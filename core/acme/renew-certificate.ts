// The renewal use case, run once a day: read the stored certificate, decide (renewal-policy.ts), and
// only when needed obtain a new pair and store it where the services poll for it (they swap it in
// without a restart, core/tls/certificate-source-for.ts).
import type { Logger } from '../log/logger.js';
import type { CertificatePem } from '../tls/certificates.js';
import type { CertificateStore } from './ports.js';
import { readCertificateFacts, renewalReason, type StoredCertificateFacts } from './renewal-policy.js';

export interface CertificateIssuer {
  issue(names: readonly string[]): Promise<CertificatePem>;
}

export interface RenewalDeps {
  readonly certificates: CertificateStore;
  readonly issuer: CertificateIssuer;
  /** The CA in use: a certificate from another one (staging, or the admin's own) is replaced. */
  readonly directoryUrl: string;
  readonly names: readonly string[];
  readonly renewBeforeDays: number;
  readonly now: () => Date;
  readonly logger: Logger;
}

export interface RenewalOutcome {
  readonly renewed: boolean;
  /** Why it renewed, or null when the stored certificate was kept. */
  readonly reason: string | null;
  /** Expiry of the certificate stored after the run. */
  readonly notAfter: string;
}

export async function renewCertificate(deps: RenewalDeps): Promise<RenewalOutcome> {
  const stored = await deps.certificates.load();
  let facts: StoredCertificateFacts | null = null;
  let reason: string | null;
  try {
    facts = stored === null ? null : readCertificateFacts(stored.certPem);
    reason = renewalReason(facts, deps.names, deps.now(), deps.renewBeforeDays);
    if (reason === null && stored?.acmeDirectoryUrl !== deps.directoryUrl) reason = 'issued by another CA';
  } catch (error) {
    deps.logger.warn('stored certificate is unreadable; replacing it', { error });
    reason = 'stored certificate unreadable';
  }
  if (reason === null && facts !== null) {
    deps.logger.info('certificate still valid', { names: deps.names, notAfter: facts.notAfter.toISOString() });
    return { renewed: false, reason: null, notAfter: facts.notAfter.toISOString() };
  }
  deps.logger.info('renewing certificate', { names: deps.names, reason, previousNotAfter: facts?.notAfter.toISOString() });
  const issued = await deps.issuer.issue(deps.names);
  const issuedFacts = readCertificateFacts(issued.certPem);
  const missing = deps.names.filter((name) => !issuedFacts.dnsNames.includes(name));
  if (missing.length > 0) throw new Error(`the issued certificate lacks ${missing.join(', ')}; keeping the stored one`);
  await deps.certificates.save({ ...issued, acmeDirectoryUrl: deps.directoryUrl });
  deps.logger.info('certificate stored', { names: deps.names, notAfter: issuedFacts.notAfter.toISOString() });
  return { renewed: true, reason, notAfter: issuedFacts.notAfter.toISOString() };
}
