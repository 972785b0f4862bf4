// DKIM private keys on AWS: one Secrets Manager secret (the stack's `PREFIX/dkim-keys`) holding
// `{"<domain>": {"selector", "privateKeyPem", "algorithm", "createdAt"}}`, the current key of each
// domain. One secret, not one per domain, so the egress task's grant names exactly one ARN; the cost is
// the 64 KB value limit: ~1.8 KB per RSA-2048 key, so about 35 domains (Ed25519 keys are ~0.2 KB).
// DynamoDirectory keeps the key's selector, algorithm and date in the table, never the private key.
import type { DkimKey } from '../../ports/directory.js';
import type { SecretsManagerJsonObject } from './secrets-manager-json-object.js';

/** Egress reads through this cache; a rotation elsewhere shows within it (docs/operations.md). */
export const DKIM_KEY_CACHE_MS = 2 * 60_000;

interface StoredKey {
  readonly selector: string;
  readonly privateKeyPem: string;
  readonly algorithm: DkimKey['algorithm'];
  readonly createdAt: string;
}

function isStoredKey(value: unknown): value is StoredKey {
  const key = value as Partial<StoredKey> | null;
  return (
    typeof key === 'object' &&
    key !== null &&
    typeof key.selector === 'string' &&
    typeof key.privateKeyPem === 'string' &&
    (key.algorithm === 'rsa-sha256' || key.algorithm === 'ed25519-sha256')
  );
}

export class SecretsManagerDkimKeys {
  constructor(private readonly secret: SecretsManagerJsonObject) {}

  /** The domain's key, or null when the secret has none for it (or an entry of another shape). */
  async get(domain: string): Promise<DkimKey | null> {
    const stored = (await this.secret.read())[domain];
    if (!isStoredKey(stored)) return null;
    return {
      domain,
      selector: stored.selector,
      privateKeyPem: stored.privateKeyPem,
      algorithm: stored.algorithm,
      createdAt: new Date(stored.createdAt),
    };
  }

  /** Replaces the domain's key: the previous one is not needed once mail is signed with the new one. */
  async put(key: DkimKey): Promise<void> {
    const stored: StoredKey = {
      selector: key.selector,
      privateKeyPem: key.privateKeyPem,
      algorithm: key.algorithm,
      createdAt: key.createdAt.toISOString(),
    };
    await this.secret.update((current) => ({ ...current, [key.domain]: stored }));
  }

  async remove(domain: string): Promise<void> {
    await this.secret.update((current) => Object.fromEntries(Object.entries(current).filter(([name]) => name !== domain)));
  }
}
