// New DKIM signing keys. RSA is 2048 bits, the size RFC 8301 §3.2 asks verifiers to accept; Ed25519
// (RFC 8463) is smaller but not yet verified everywhere. Used by `yubin dkim generate` and first run.
import { generateKeyPairSync } from 'node:crypto';
import type { DkimKey } from '../ports/directory.js';

/** RFC 6376 §3.1: a selector is a sub-domain; a date-based one makes rotations easy to follow. */
export function defaultDkimSelector(now: Date): string {
  return `yubin${now.toISOString().slice(0, 7).replace('-', '')}`;
}

export function generateDkimKey(domain: string, selector: string, options: { ed25519?: boolean; now?: Date } = {}): DkimKey {
  const ed25519 = options.ed25519 === true;
  const { privateKey } = ed25519 ? generateKeyPairSync('ed25519') : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    domain,
    selector,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    algorithm: ed25519 ? 'ed25519-sha256' : 'rsa-sha256',
    createdAt: options.now ?? new Date(),
  };
}
