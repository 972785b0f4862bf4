// The two secrets of the renewal, in Secrets Manager: the TLS pair in the JSON shape the services
// already read (core/tls/secrets-manager-certificate-source.ts), and the ACME account key. Both are
// created by the stack as `{}` and written here; PutSecretValue makes a new version the services poll.
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseCertificateSecret } from '../tls/secrets-manager-certificate-source.js';
import type { AcmeAccountKeyStore, CertificateStore, StoredCertificate } from './ports.js';

async function readSecret(client: SecretsManagerClient, secretArn: string): Promise<string | undefined> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  return SecretString;
}

async function writeSecret(client: SecretsManagerClient, secretArn: string, value: object): Promise<void> {
  await client.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: JSON.stringify(value) }));
}

export class SecretsManagerCertificateStore implements CertificateStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArn: string,
  ) {}

  /** The services ignore `acmeDirectoryUrl`; the renewal uses it to notice a switch of CA. */
  async load(): Promise<StoredCertificate | null> {
    const secret = await readSecret(this.client, this.secretArn);
    const pem = parseCertificateSecret(secret);
    if (pem === null) return null;
    const { acmeDirectoryUrl } = JSON.parse(secret ?? '{}') as { acmeDirectoryUrl?: unknown };
    return typeof acmeDirectoryUrl === 'string' ? { ...pem, acmeDirectoryUrl } : pem;
  }

  async save(stored: StoredCertificate): Promise<void> {
    await writeSecret(this.client, this.secretArn, {
      keyPem: stored.keyPem,
      certPem: stored.certPem,
      acmeDirectoryUrl: stored.acmeDirectoryUrl,
    });
  }
}

/** `{"accountKeyPem": "..."}`; `{}` until the first run creates the account. */
export class SecretsManagerAccountKeyStore implements AcmeAccountKeyStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArn: string,
  ) {}

  async load(): Promise<string | null> {
    const secret = await readSecret(this.client, this.secretArn);
    const { accountKeyPem } = JSON.parse(secret ?? '{}') as { accountKeyPem?: unknown };
    return typeof accountKeyPem === 'string' && accountKeyPem.includes('PRIVATE KEY') ? accountKeyPem : null;
  }

  async save(accountKeyPem: string): Promise<void> {
    await writeSecret(this.client, this.secretArn, { accountKeyPem });
  }
}
