// Smarthost relay settings from the stack's `PREFIX/smarthost` secret, JSON
// `{"host", "port", "username", "password", "implicitTls"}` (all optional): each field present wins
// over YUBIN_SMARTHOST / _USER / _PASSWORD / _TLS, so a rotated password needs no redeploy. Egress
// asks before every relay session; the secret is re-read at most every SMARTHOST_SECRET_CACHE_MS.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsConfig } from '../../config/index.js';
import { StorageError } from '../../ports/errors.js';
import { SecretsManagerJsonObject, type JsonObject } from './secrets-manager-json-object.js';

/** As often as the services look for a new certificate (core/tls): a rotation shows within minutes. */
export const SMARTHOST_SECRET_CACHE_MS = 5 * 60_000;

/** The shape of services/smtp-fargate/egress/egress-settings.ts SmarthostSettings (core may not import services). */
export interface SmarthostRelay {
  readonly host: string;
  readonly port: number;
  readonly implicitTls: boolean;
  readonly user?: string;
  readonly password?: string;
}

function field<T>(secret: JsonObject, name: string, type: 'string' | 'number' | 'boolean'): T | undefined {
  const value = secret[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== type) throw new StorageError('invalid', `smarthost secret: ${name} must be a ${type}`);
  return value as T;
}

/** The relay settings: the secret's fields over the environment's. */
export function smarthostRelayFrom(secret: JsonObject, fromEnvironment: SmarthostRelay | undefined): SmarthostRelay {
  const host = field<string>(secret, 'host', 'string') ?? fromEnvironment?.host;
  if (!host) throw new StorageError('invalid', 'smarthost secret has no host, and YUBIN_SMARTHOST is unset');
  const user = field<string>(secret, 'username', 'string') ?? fromEnvironment?.user;
  const password = field<string>(secret, 'password', 'string') ?? fromEnvironment?.password;
  return {
    host,
    port: field<number>(secret, 'port', 'number') ?? fromEnvironment?.port ?? 587,
    implicitTls: field<boolean>(secret, 'implicitTls', 'boolean') ?? fromEnvironment?.implicitTls ?? false,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
  };
}

/** What the egress transport calls before each relay session. */
export function smarthostRelaySource(secret: SecretsManagerJsonObject, fromEnvironment?: SmarthostRelay): () => Promise<SmarthostRelay> {
  return async () => smarthostRelayFrom(await secret.read(), fromEnvironment);
}

/** For a composition root: the source when the configuration names a smarthost secret, else undefined. */
export function smarthostRelaySourceFor(aws: AwsConfig, fromEnvironment?: SmarthostRelay): (() => Promise<SmarthostRelay>) | undefined {
  if (aws.smarthostSecretArn === undefined) return undefined;
  const client = new SecretsManagerClient({
    region: aws.region,
    ...(aws.secretsManagerEndpoint ? { endpoint: aws.secretsManagerEndpoint } : {}),
  });
  return smarthostRelaySource(
    new SecretsManagerJsonObject(client, aws.smarthostSecretArn, { maxAgeMs: SMARTHOST_SECRET_CACHE_MS }),
    fromEnvironment,
  );
}
