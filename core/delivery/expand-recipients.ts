// Turns envelope recipients into delivery routes: a hosted user's mailbox, a remote address to forward
// to, or a permanent failure. Order per address: an exact alias, then the user, then the domain's
// catch-all (`@domain`); alias targets and moved users are followed recursively.
import { domainOf } from '../mail/address.js';
import type { EnvelopeRecipient } from '../mail/jobs.js';
import type { Directory, User } from '../ports/directory.js';

export type RecipientRoute =
  | { readonly kind: 'mailbox'; readonly user: User; readonly envelopeRecipient: EnvelopeRecipient }
  | { readonly kind: 'forward'; readonly address: string; readonly envelopeRecipient: EnvelopeRecipient; readonly forwardingDomain: string }
  | { readonly kind: 'failed'; readonly status: string; readonly diagnostic: string; readonly envelopeRecipient: EnvelopeRecipient };

/** Alias chains longer than this are a loop or a mistake (RFC 5321 §6.3 asks for loop detection). */
const MAX_EXPANSION_DEPTH = 8;

async function expandOne(
  directory: Directory,
  recipient: EnvelopeRecipient,
  address: string,
  depth: number,
  seen: Set<string>,
): Promise<RecipientRoute[]> {
  if (seen.has(address)) return []; // a cycle: every address on it already contributed its routes
  seen.add(address);
  if (depth > MAX_EXPANSION_DEPTH)
    return [{ kind: 'failed', status: '5.4.6', diagnostic: '554 5.4.6 Alias expansion loop detected', envelopeRecipient: recipient }];
  const domain = domainOf(address);
  const follow = async (targets: readonly string[]) => {
    const routes: RecipientRoute[] = [];
    for (const target of targets) {
      const hosted = (await directory.getDomain(domainOf(target))) !== null;
      routes.push(
        ...(hosted
          ? await expandOne(directory, recipient, target, depth + 1, seen)
          : [{ kind: 'forward' as const, address: target, envelopeRecipient: recipient, forwardingDomain: domain }]),
      );
    }
    return routes;
  };

  const alias = await directory.getAlias(address);
  if (alias) return follow(alias.targets);
  const user = await directory.getUser(address);
  if (user?.status === 'active') return [{ kind: 'mailbox', user, envelopeRecipient: recipient }];
  // Accepted before the user moved: the mail follows them rather than being lost (cf. 551 5.1.6).
  if (user?.status === 'moved' && user.movedTo) return follow([user.movedTo]);
  if (user?.status === 'disabled')
    return [
      { kind: 'failed', status: '5.2.1', diagnostic: '550 5.2.1 Mailbox disabled, not accepting messages', envelopeRecipient: recipient },
    ];
  const catchAll = await directory.getAlias(`@${domain}`);
  if (catchAll) return follow(catchAll.targets);
  return [{ kind: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 User unknown', envelopeRecipient: recipient }];
}

/** Routes for every envelope recipient; a user or remote address reached twice gets one copy. */
export async function expandRecipients(directory: Directory, recipients: readonly EnvelopeRecipient[]): Promise<RecipientRoute[]> {
  const routes: RecipientRoute[] = [];
  const delivered = new Set<string>();
  for (const recipient of recipients) {
    for (const route of await expandOne(directory, recipient, recipient.address, 0, new Set())) {
      const key =
        route.kind === 'mailbox' ? `user:${route.user.id}` : route.kind === 'forward' ? `forward:${route.address.toLowerCase()}` : null;
      if (key !== null && delivered.has(key)) continue;
      if (key !== null) delivered.add(key);
      routes.push(route);
    }
  }
  return routes;
}
