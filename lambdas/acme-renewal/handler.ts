// ACME renewal Lambda, run daily by an EventBridge schedule: keeps the mail host's certificate (and
// the MTA-STS, autoconfig and autodiscover names) fresh from Let's Encrypt with DNS-01 in Route 53.
// Trusts: the CA's directory over HTTPS; its own two secrets. May touch: TXT records named
// `_acme-challenge.<name>` in the one hosted zone (UPSERT, DELETE), GetChange, and Get/PutSecretValue
// on the TLS and ACME-account secrets. Nothing else; lib/constructs/acme-renewal.ts grants exactly this.
import { Route53Client } from '@aws-sdk/client-route-53';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AcmeIssuer } from '../../core/acme/acme-issuer.js';
import { renewCertificate, type RenewalOutcome } from '../../core/acme/renew-certificate.js';
import { Route53ChallengeZone } from '../../core/acme/route53-challenge-zone.js';
import { SecretsManagerAccountKeyStore, SecretsManagerCertificateStore } from '../../core/acme/secrets-manager-stores.js';
import { loadAcmeConfig } from '../../core/config/acme.js';
import { createLogger } from '../../core/log/logger.js';

const config = loadAcmeConfig();
const logger = createLogger({ base: { component: 'acme-renewal' } });
const secretsManager = new SecretsManagerClient({
  region: config.region,
  ...(config.secretsManagerEndpoint === undefined ? {} : { endpoint: config.secretsManagerEndpoint }),
});
// Route 53 is a global service signed in us-east-1.
const route53 = new Route53Client({
  region: 'us-east-1',
  ...(config.route53Endpoint === undefined ? {} : { endpoint: config.route53Endpoint }),
});

/** The scheduled event carries nothing we need; a failure throws, so the Errors alarm fires. */
export async function handler(): Promise<RenewalOutcome> {
  return renewCertificate({
    certificates: new SecretsManagerCertificateStore(secretsManager, config.certificateSecretArn),
    issuer: new AcmeIssuer({
      directoryUrl: config.directoryUrl,
      email: config.email,
      accountKeys: new SecretsManagerAccountKeyStore(secretsManager, config.accountSecretArn),
      zone: new Route53ChallengeZone(route53, config.hostedZoneId),
      logger,
    }),
    directoryUrl: config.directoryUrl,
    names: config.names,
    renewBeforeDays: config.renewBeforeDays,
    now: () => new Date(),
    logger,
  });
}
