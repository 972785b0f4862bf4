// Settings of the ACME renewal function (lambdas/acme-renewal), read from the environment beside
// loadConfig(): which CA, which names, which Route 53 zone and which two secrets. lib/constructs/
// acme-renewal.ts sets every variable; the endpoint overrides exist for the loopback stand-ins in tests.

type Env = Readonly<Record<string, string | undefined>>;

/** Let's Encrypt's ACME v2 directories (RFC 8555 §7.1.1); staging issues untrusted certificates. */
export const ACME_DIRECTORIES = {
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
  production: 'https://acme-v02.api.letsencrypt.org/directory',
} as const;

export interface AcmeConfig {
  readonly directoryUrl: string;
  /** Contact of the ACME account (RFC 8555 §7.3): expiry and policy notices go there. */
  readonly email: string;
  /** Names the certificate covers; the first is the subject's common name. */
  readonly names: readonly string[];
  readonly hostedZoneId: string;
  /** Secret holding `{"accountKeyPem": "..."}`, written on the first run. */
  readonly accountSecretArn: string;
  /** Secret holding `{"keyPem","certPem"}`, the one the services poll. */
  readonly certificateSecretArn: string;
  /** Renew when fewer days than this remain. */
  readonly renewBeforeDays: number;
  readonly region: string;
  readonly route53Endpoint?: string;
  readonly secretsManagerEndpoint?: string;
}

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`the ACME renewal function needs ${name}`);
  return value;
}

function directoryFrom(value: string): string {
  if (value === 'staging' || value === 'production') return ACME_DIRECTORIES[value];
  if (/^https?:\/\//.test(value)) return value;
  throw new Error(`YUBIN_ACME_DIRECTORY must be staging, production or a directory URL, got ${JSON.stringify(value)}`);
}

export function loadAcmeConfig(env: Env = process.env): AcmeConfig {
  const names = required(env, 'YUBIN_ACME_NAMES')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.length === 0) throw new Error('YUBIN_ACME_NAMES must list at least one host name');
  const renewBeforeDays = Number(env.YUBIN_ACME_RENEW_BEFORE_DAYS ?? '30');
  // Let's Encrypt certificates last 90 days (fewer from 2026); renewing earlier than 60 days before expiry would renew daily.
  if (!Number.isInteger(renewBeforeDays) || renewBeforeDays < 1 || renewBeforeDays > 60) {
    throw new Error('YUBIN_ACME_RENEW_BEFORE_DAYS must be a whole number of days from 1 to 60');
  }
  const route53Endpoint = env.YUBIN_ROUTE53_ENDPOINT || undefined;
  const secretsManagerEndpoint = env.YUBIN_SECRETS_MANAGER_ENDPOINT || undefined;
  return {
    directoryUrl: directoryFrom(env.YUBIN_ACME_DIRECTORY ?? 'staging'),
    email: required(env, 'YUBIN_ACME_EMAIL'),
    names,
    hostedZoneId: required(env, 'YUBIN_ACME_HOSTED_ZONE_ID'),
    accountSecretArn: required(env, 'YUBIN_ACME_ACCOUNT_SECRET_ARN'),
    certificateSecretArn: required(env, 'YUBIN_TLS_SECRET_ARN'),
    renewBeforeDays,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(route53Endpoint === undefined ? {} : { route53Endpoint }),
    ...(secretsManagerEndpoint === undefined ? {} : { secretsManagerEndpoint }),
  };
}
