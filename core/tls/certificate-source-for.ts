// Where a composition root's certificate comes from: Secrets Manager on AWS when the stack names a
// secret, else `key.pem`/`cert.pem` in the TLS directory (self-signed on first start).
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { YubinConfig } from '../config/index.js';
import { FileCertificateSource, type CertificateSource } from './certificates.js';
import { SecretsManagerCertificateSource } from './secrets-manager-certificate-source.js';

/** Certificates renew in place (design brief §8): the services look for a new pair this often. */
export const CERTIFICATE_REFRESH_MS = 5 * 60_000;

export function certificateSourceFor(config: YubinConfig): CertificateSource {
  const secretArn = config.aws.tlsSecretArn;
  if (config.backend === 'aws' && secretArn) {
    return new SecretsManagerCertificateSource(new SecretsManagerClient({ region: config.aws.region }), secretArn, config.hostname);
  }
  return new FileCertificateSource(config.tlsDir, config.hostname);
}
