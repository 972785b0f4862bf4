// One credential check for every protocol: throttle, look up, verify. Callers map the outcome to
// their own replies (535 5.7.8, NO [AUTHENTICATIONFAILED], -ERR [AUTH]) and never say which part was wrong.
import { normalizeAddress } from '../mail/address.js';
import type { Directory, User } from '../ports/directory.js';
import type { AuthThrottle } from './auth-throttle.js';
import { verifyPassword } from './password.js';

export type AuthOutcome =
  | { readonly ok: true; readonly user: User }
  | { readonly ok: false; readonly reason: 'throttled' | 'invalid-credentials' | 'account-disabled' };

export async function authenticate(
  directory: Directory,
  throttle: AuthThrottle,
  attempt: { readonly clientIp: string; readonly username: string; readonly password: string },
): Promise<AuthOutcome> {
  const address = normalizeAddress(attempt.username);
  if (await throttle.isBlocked(attempt.clientIp, address)) return { ok: false, reason: 'throttled' };
  const user = address === null ? null : await directory.getUser(address);
  const valid = user !== null && (await verifyPassword(attempt.password, user.passwordHash));
  if (!valid || user === null) {
    await throttle.recordFailure(attempt.clientIp, address);
    return { ok: false, reason: 'invalid-credentials' };
  }
  if (user.status !== 'active') return { ok: false, reason: 'account-disabled' };
  return { ok: true, user };
}
