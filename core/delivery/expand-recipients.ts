// Turns envelope recipients into delivery routes: a hosted user's mailbox, a remote address to forward
// to, or a permanent failure. Each address resolves as at RCPT time (core/directory); alias targets,
// catch-all targets and moved users are then followed recursively, with loop detection.
import { domainOf } from '../mail/address.js';
import type { EnvelopeRecipient } from '../mail/jobs.js';
import type { Directory, User } from '../ports/directory.js';
import { resolveRecipient } from '../directory/resolve-recipient.js';

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

  const failed = (status: string, diagnostic: string): RecipientRoute[] => [
    { kind: 'failed', status, diagnostic, envelopeRecipient: recipient },
  ];
  // The same resolution the SMTP service answered RCPT TO with (user, user+tag, alias, catch-all).
  const resolution = await resolveRecipient(directory, address);
  switch (resolution.kind) {
    case 'user':
      return [{ kind: 'mailbox', user: resolution.user, envelopeRecipient: recipient }];
    case 'alias':
      return follow(resolution.targets);
    case 'moved':
      return follow([resolution.movedTo]); // accepted before the user moved: the mail follows (cf. 551 5.1.6)
    case 'disabled':
      return failed('5.2.1', '550 5.2.1 Mailbox disabled, not accepting messages');
    case 'unknown':
      return failed('5.1.1', '550 5.1.1 User unknown');
    case 'not-hosted':
      return failed('5.1.2', '550 5.1.2 Domain no longer hosted here');
    case 'malformed':
      return failed('5.1.3', '553 5.1.3 Bad recipient address syntax');
  }
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
