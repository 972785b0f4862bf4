// On AWS the certificate lives in Secrets Manager as JSON `{"keyPem": "...", "certPem": "..."}` (the
// CDK stack creates the secret as `{}`; the admin or the ACME job fills it). ECS reads secrets only at
// task start, so the services poll this source and swap the context in place (design brief §8).
// Until the secret holds a pair, a self-signed certificate made once per process is served.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSelfSignedCertificate, type CertificatePem, type CertificateSource } from './certificates.js';

export class SecretsManagerCertificateSource implements CertificateSource {
  private fallback: Promise<CertificatePem> | null = null;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArn: string,
    private readonly hostname: string,
  ) {}

  async load(): Promise<CertificatePem> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn }));
    const stored = parseCertificateSecret(SecretString);
    if (stored !== null) return stored;
    this.fallback ??= createSelfSignedCertificate(this.hostname);
    return this.fallback;
  }
}

/** `{"keyPem","certPem"}` → the pair; `{}` or a partial object → null; not JSON → an error. */
export function parseCertificateSecret(secret: string | undefined): CertificatePem | null {
  if (secret === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(secret);
  } catch {
    throw new Error('TLS certificate secret is not JSON: expected {"keyPem": "...", "certPem": "..."}');
  }
  const { keyPem, certPem } = (value ?? {}) as { keyPem?: unknown; certPem?: unknown };
  if (typeof keyPem === 'string' && typeof certPem === 'string' && keyPem.includes('PRIVATE KEY') && certPem.includes('CERTIFICATE')) {
    return { keyPem, certPem };
  }
  return null;
}
