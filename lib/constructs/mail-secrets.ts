// Secrets the services read at run time and poll for changes (ECS would read them only at task start):
// the mail host's TLS certificate, the DKIM signing keys, and the smarthost credentials when used.
// Each starts as `{}`; the services use a self-signed certificate until a real one is stored, and
// `yubin dkim generate` writes the DKIM keys (docs/deploy.md); the ACME renewal function (acme-renewal.ts)
// or the admin writes the certificate.
import { SecretValue, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface MailSecretsProps {
  /** Secret names are `${namePrefix}/tls-certificate` and so on, so the CLI can find them. */
  readonly namePrefix: string;
  /** Use this existing secret (same JSON shape) for the certificate instead of creating one. */
  readonly tlsCertificateSecretArn?: string;
  /** Create the smarthost credentials secret. Default: false. */
  readonly smarthost?: boolean;
}

export class MailSecrets extends Construct {
  /** `{"keyPem": "...", "certPem": "..."}` (PEM, certificate chain included). */
  readonly tlsCertificate: secretsmanager.ISecret;
  /**
   * `{"<domain>": {"selector", "privateKeyPem", "algorithm", "createdAt"}}`, one secret for all domains so
   * the egress grant names one ARN; 64 KB holds about 35 RSA-2048 keys (core/adapters/aws/secrets-manager-dkim-keys.ts).
   */
  readonly dkimKeys: secretsmanager.ISecret;
  /** `{"host": "...", "port": 587, "username": "...", "password": "...", "implicitTls": false}`, each field optional. */
  readonly smarthostCredentials?: secretsmanager.ISecret;
  /** Random HMAC key of the Sender Rewriting Scheme for forwarded mail (plain string). */
  readonly srsKey: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: MailSecretsProps) {
    super(scope, id);
    const placeholder = (id: string, name: string, description: string): secretsmanager.Secret => {
      const secret = new secretsmanager.Secret(this, id, {
        secretName: `${props.namePrefix}/${name}`,
        description,
        // An empty object, not a secret: the real value is stored after deployment.
        secretStringValue: SecretValue.unsafePlainText('{}'),
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotated outside Secrets Manager rotation: certificates by their issuer (ACME or the admin), DKIM keys by `yubin dkim generate`; the services pick up new values by polling.',
      });
      return secret;
    };
    this.tlsCertificate =
      props.tlsCertificateSecretArn === undefined
        ? placeholder('TlsCertificate', 'tls-certificate', 'Yubin mail host TLS key and certificate chain (PEM, JSON keyPem/certPem)')
        : secretsmanager.Secret.fromSecretCompleteArn(this, 'TlsCertificate', props.tlsCertificateSecretArn);
    this.dkimKeys = placeholder('DkimKeys', 'dkim-keys', 'Yubin DKIM private keys per domain (JSON), written by `yubin dkim generate`');
    const srsKey = new secretsmanager.Secret(this, 'SrsKey', {
      secretName: `${props.namePrefix}/srs-key`,
      description: 'Yubin SRS key: signs rewritten senders of forwarded mail so their bounces can be verified',
      generateSecretString: { passwordLength: 43, excludePunctuation: true },
    });
    Validations.of(srsKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the SRS key would invalidate the return paths of mail forwarded in the days before; it is long and random instead.',
    });
    this.srsKey = srsKey;
    if (props.smarthost === true) {
      this.smarthostCredentials = placeholder('Smarthost', 'smarthost', 'Yubin smarthost relay: host, port, username, password (JSON)');
    }
  }

  /** The SRS key: the delivery function, which forwards mail and verifies bounces to forwarded mail. */
  grantReadSrsKey(grantee: iam.IGrantable): void {
    this.srsKey.grantRead(grantee);
  }

  /** The TLS certificate: every service that terminates TLS. */
  grantReadCertificate(grantee: iam.IGrantable): void {
    this.tlsCertificate.grantRead(grantee);
  }

  /** Signing keys and relay credentials: the SMTP service's egress worker only. */
  grantReadEgressSecrets(grantee: iam.IGrantable): void {
    this.dkimKeys.grantRead(grantee);
    this.smarthostCredentials?.grantRead(grantee);
  }
}
