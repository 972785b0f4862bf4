// Rcpt phase: hosted recipients (user, alias, catch-all) are accepted for local delivery after a
// quota check; moved → 551 5.1.6, unknown → 550 5.1.1, full → 552 5.2.2 (decided here so nobody
// is bounced later). Other domains are relayed only for authenticated users; nobody else
// accepting a recipient means 554 5.7.1 relay denied (rcpt.ts): no open relay, ever.
import { resolveRecipient } from '../../../core/directory/resolve-recipient.js';
import type { Directory, User } from '../../../core/ports/directory.js';
import type { MailIndex } from '../../../core/ports/mail-index.js';
import { replies } from '../session/replies.js';
import type { PolicyCheck, RcptContext, RecipientRoute } from './verdict.js';

async function isOverQuota(mailIndex: MailIndex, user: User): Promise<boolean> {
  if (user.quotaBytes === null) return false;
  const usage = await mailIndex.getQuotaUsage(user.id);
  return usage.usedBytes >= user.quotaBytes;
}

export function hostedRecipientCheck(directory: Directory, mailIndex: MailIndex): PolicyCheck<RcptContext, RecipientRoute> {
  return {
    name: 'hosted-recipient',
    async check({ recipient }) {
      const resolution = await resolveRecipient(directory, recipient);
      switch (resolution.kind) {
        case 'not-hosted':
          return { kind: 'continue' };
        case 'malformed':
          return { kind: 'reject', reply: replies.badRecipientSyntax(`<${recipient}>`) };
        case 'unknown':
          return { kind: 'reject', reply: replies.userUnknown(recipient) };
        case 'disabled':
          return { kind: 'reject', reply: replies.mailboxDisabled(recipient) };
        case 'moved':
          return { kind: 'reject', reply: replies.userNotLocal(resolution.movedTo) };
        case 'user':
          if (await isOverQuota(mailIndex, resolution.user)) return { kind: 'reject', reply: replies.mailboxFull(recipient) };
          return { kind: 'accept', value: 'local' };
        case 'alias': {
          // Full only when every target is a local user who is full; forwards always have room.
          const allFull = resolution.users.length === resolution.targets.length && resolution.users.length > 0;
          if (allFull && (await Promise.all(resolution.users.map((u) => isOverQuota(mailIndex, u)))).every(Boolean)) {
            return { kind: 'reject', reply: replies.mailboxFull(recipient) };
          }
          return { kind: 'accept', value: 'local' };
        }
      }
    },
  };
}

export const authenticatedRelayCheck: PolicyCheck<RcptContext, RecipientRoute> = {
  name: 'authenticated-relay',
  check: ({ user }) => (user !== null ? { kind: 'accept', value: 'remote' } : { kind: 'continue' }),
};
