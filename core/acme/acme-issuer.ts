// Obtains a certificate from an ACME CA (RFC 8555) with DNS-01 challenges, through acme-client's
// step-by-step API: account → order → one TXT record per pending authorization, all published in one
// change and awaited once → challenges answered → authorizations valid → records removed → CSR →
// finalize → certificate chain. The records are removed whether validation succeeded or not.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import acme from 'acme-client';
import type { Logger } from '../log/logger.js';
import type { CertificatePem } from '../tls/certificates.js';
import { challengeRecordName, type AcmeAccountKeyStore, type ChallengeRecordZone, type DnsChallengeRecord } from './ports.js';

export interface AcmeIssuerOptions {
  /** The CA's directory URL (RFC 8555 §7.1.1). */
  readonly directoryUrl: string;
  /** Account contact (RFC 8555 §7.3): the CA's expiry and policy notices go there. */
  readonly email: string;
  readonly accountKeys: AcmeAccountKeyStore;
  readonly zone: ChallengeRecordZone;
  readonly logger: Logger;
}

/** RSA 2048, not ECDSA: some mail clients and MTAs still offer only RSA cipher suites. */
const CERTIFICATE_KEY_BITS = 2048;

interface PendingChallenge {
  readonly authorization: acme.Authorization;
  readonly challenge: acme.Authorization['challenges'][number];
  readonly record: DnsChallengeRecord;
}

export class AcmeIssuer {
  constructor(private readonly options: AcmeIssuerOptions) {}

  /** A new key and certificate chain for `names` (the first is the subject's common name). */
  async issue(names: readonly string[]): Promise<CertificatePem> {
    const client = new acme.Client({ directoryUrl: this.options.directoryUrl, accountKey: await this.accountKey() });
    // RFC 8555 §7.3.1: a newAccount request with a known key returns that account, so this also finds it.
    await client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${this.options.email}`] });
    const order = await client.createOrder({ identifiers: names.map((value) => ({ type: 'dns', value })) });
    const authorizations = await client.getAuthorizations(order);
    await this.validate(client, await this.pendingChallenges(client, authorizations));

    // The node-forge CSR builder, not acme.crypto.createCsr: @postalsys/vmc (via mailauth) pins
    // @peculiar/asn1-schema 2.6.0 at the top of node_modules, so @peculiar/x509 and its asn1-csr end
    // up with two schema registries and createCsr fails ("Cannot get schema for CertificationRequestInfo").
    const [keyPem, csr] = await acme.forge.createCsr(
      { commonName: names[0], altNames: [...names] },
      await acme.crypto.createPrivateRsaKey(CERTIFICATE_KEY_BITS),
    );
    const finalized = await client.finalizeOrder(order, csr);
    const certPem = await client.getCertificate(finalized);
    const issued = { keyPem: keyPem.toString(), certPem };
    if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(issued.keyPem))) {
      throw new Error('the CA returned a certificate for another key');
    }
    this.options.logger.info('certificate issued', { names, notAfter: new X509Certificate(certPem).validTo });
    return issued;
  }

  /** The stored account key, or a new one (ECDSA P-256, RFC 8555 §6.2 ES256) stored before first use. */
  private async accountKey(): Promise<string> {
    const stored = await this.options.accountKeys.load();
    if (stored !== null) return stored;
    const created = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
    await this.options.accountKeys.save(created);
    this.options.logger.info('ACME account key created');
    return created;
  }

  /** Authorizations the CA already holds as valid (RFC 8555 §7.1.4, reuse) need no challenge. */
  private async pendingChallenges(client: acme.Client, authorizations: readonly acme.Authorization[]): Promise<PendingChallenge[]> {
    const pending: PendingChallenge[] = [];
    for (const authorization of authorizations) {
      if (authorization.status === 'valid') continue;
      if (authorization.status !== 'pending') {
        throw new Error(`authorization for ${authorization.identifier.value} is ${authorization.status}`);
      }
      const challenge = authorization.challenges.find((candidate) => candidate.type === 'dns-01');
      if (challenge === undefined) throw new Error(`the CA offers no dns-01 challenge for ${authorization.identifier.value}`);
      const value = await client.getChallengeKeyAuthorization(challenge);
      pending.push({ authorization, challenge, record: { name: challengeRecordName(authorization.identifier.value), value } });
    }
    return pending;
  }

  private async validate(client: acme.Client, pending: readonly PendingChallenge[]): Promise<void> {
    if (pending.length === 0) return;
    const records = pending.map(({ record }) => record);
    try {
      await this.options.zone.publish(records);
      // RFC 8555 §7.5.1: the client says it is ready; the CA then looks the records up.
      await Promise.all(pending.map(({ challenge }) => client.completeChallenge(challenge)));
      await Promise.all(pending.map(({ authorization }) => client.waitForValidStatus(authorization)));
    } finally {
      await this.options.zone.remove(records).catch((error: unknown) => {
        // A leftover TXT record is harmless (the next run replaces it); the renewal's outcome matters more.
        this.options.logger.warn('challenge records not removed', { records: records.map(({ name }) => name), error });
      });
    }
  }
}
