// Where a composition root's certificate comes from: Secrets Manager on AWS when the stack names a
// secret, else `key.pem`/`cert.pem` in the TLS directory (self-signed on first start).
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { YubinConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { FileCertificateSource, TlsContextProvider, type CertificateSource } from './certificates.js';
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

/** The process's one TLS context: loaded now, then reloaded every CERTIFICATE_REFRESH_MS until stop(). */
export async function startTlsContext(config: YubinConfig, logger: Logger): Promise<{ readonly tls: TlsContextProvider; stop(): void }> {
  const tls = new TlsContextProvider(certificateSourceFor(config));
  await tls.refresh();
  const timer = setInterval(() => {
    tls.refresh().then(
      (changed) => changed && logger.info('certificate reloaded'),
      (error: unknown) => logger.error('certificate reload failed', { error }),
    );
  }, CERTIFICATE_REFRESH_MS);
  timer.unref();
  return { tls, stop: () => clearInterval(timer) };
}
