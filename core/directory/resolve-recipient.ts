// Recipient resolution against the Directory, shared by the SMTP service (RCPT TO replies) and
// delivery (where to file). Order: exact user, user without `+tag` (sub-addressing), exact alias,
// the domain's catch-all alias `@domain`. One level deep: delivery expands alias targets further.
import { domainOf, normalizeAddress } from '../mail/address.js';
import type { Directory, User } from '../ports/directory.js';

export type RecipientResolution =
  /** A hosted, active user. */
  | { readonly kind: 'user'; readonly user: User }
  /** An alias (or catch-all, `source` = `@domain`): targets as listed, hosted active users among them resolved. */
  | { readonly kind: 'alias'; readonly source: string; readonly targets: readonly string[]; readonly users: readonly User[] }
  /** The user moved; mail should go to `movedTo` (RFC 5321 §3.4, 551 5.1.6). */
  | { readonly kind: 'moved'; readonly movedTo: string }
  | { readonly kind: 'disabled' }
  /** The domain is hosted but nothing answers to the address. */
  | { readonly kind: 'unknown' }
  | { readonly kind: 'not-hosted' }
  | { readonly kind: 'malformed' };

function fromUser(user: User): RecipientResolution {
  if (user.status === 'moved' && user.movedTo !== null) return { kind: 'moved', movedTo: user.movedTo };
  if (user.status !== 'active') return { kind: 'disabled' };
  return { kind: 'user', user };
}

async function fromAlias(directory: Directory, source: string, targets: readonly string[]): Promise<RecipientResolution> {
  const users: User[] = [];
  for (const target of targets) {
    const user = await directory.getUser(target);
    if (user !== null && user.status === 'active') users.push(user);
  }
  return { kind: 'alias', source, targets, users };
}

export async function resolveRecipient(directory: Directory, rawAddress: string): Promise<RecipientResolution> {
  const address = normalizeAddress(rawAddress);
  if (address === null) return { kind: 'malformed' };
  const domain = domainOf(address);
  if ((await directory.getDomain(domain)) === null) return { kind: 'not-hosted' };

  const user = await directory.getUser(address);
  if (user !== null) return fromUser(user);
  const plus = address.indexOf('+');
  if (plus > 0 && plus < address.indexOf('@')) {
    const base = await directory.getUser(address.slice(0, plus) + address.slice(address.indexOf('@')));
    if (base !== null) return fromUser(base);
  }
  const alias = await directory.getAlias(address);
  if (alias !== null) return fromAlias(directory, alias.source, alias.targets);
  const catchAll = await directory.getAlias(`@${domain}`);
  if (catchAll !== null) return fromAlias(directory, catchAll.source, catchAll.targets);
  return { kind: 'unknown' };
}
