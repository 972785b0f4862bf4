// One Secrets Manager secret holding a JSON object, read through a short cache: the services poll
// secrets because ECS reads them only at task start (design brief §8), and a cache keeps that to one
// GetSecretValue per task per period however much mail flows. Writes (the admin CLI) read fresh,
// change, write back and refresh the cache of this process.
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { StorageError } from '../../ports/errors.js';
import { awsCall } from './aws-errors.js';

/** Secrets Manager's limit on a SecretString (AWS quotas: "Secret value size", 64 KB). */
export const SECRET_VALUE_MAX_BYTES = 65_536;

export type JsonObject = Record<string, unknown>;

export interface SecretsManagerJsonObjectOptions {
  /** How long a read is reused: a change made elsewhere becomes visible within this. */
  readonly maxAgeMs: number;
  /** Epoch milliseconds; tests move it forward. Default Date.now. */
  readonly clock?: () => number;
}

export class SecretsManagerJsonObject {
  private cached: { readonly value: Promise<JsonObject>; readonly readAt: number } | null = null;
  private readonly clock: () => number;

  constructor(
    private readonly client: SecretsManagerClient,
    readonly secretArn: string,
    private readonly options: SecretsManagerJsonObjectOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  /** The object, at most maxAgeMs old; concurrent callers share one request. */
  read(): Promise<JsonObject> {
    const now = this.clock();
    if (this.cached === null || now - this.cached.readAt >= this.options.maxAgeMs) {
      const value = this.readFresh();
      this.cached = { value, readAt: now };
      // A failed read is not cached: the next caller asks again.
      value.catch(() => {
        if (this.cached?.value === value) this.cached = null;
      });
    }
    return this.cached.value;
  }

  /**
   * Read fresh, apply `change`, write back. Last writer wins: two admins changing the secret in the
   * same second can lose one change (Secrets Manager has no conditional put); the CLI is the only writer.
   */
  async update(change: (current: JsonObject) => JsonObject): Promise<void> {
    const next = change(await this.readFresh());
    const text = JSON.stringify(next);
    if (Buffer.byteLength(text) > SECRET_VALUE_MAX_BYTES)
      throw new StorageError('invalid', `secret ${this.secretArn} would exceed Secrets Manager's ${SECRET_VALUE_MAX_BYTES} bytes`);
    await awsCall('write secret', () => this.client.send(new PutSecretValueCommand({ SecretId: this.secretArn, SecretString: text })));
    this.cached = { value: Promise.resolve(next), readAt: this.clock() };
  }

  private async readFresh(): Promise<JsonObject> {
    const { SecretString } = await awsCall('read secret', () => this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn })));
    let value: unknown;
    try {
      value = JSON.parse(SecretString ?? '{}');
    } catch {
      throw new StorageError('invalid', `secret ${this.secretArn} is not JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new StorageError('invalid', `secret ${this.secretArn} is not a JSON object`);
    return value as JsonObject;
  }
}
