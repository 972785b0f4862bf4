// Mail phase checks that need only the session: declared size (RFC 1870 §6 → 552 5.3.4),
// submission requires AUTH (RFC 6409 §4.3 → 530 5.7.0), and on submission the sender must be the
// user's own address or one of its aliases (→ 553 5.7.1; brief §3).
import type { Directory } from '../../../core/ports/directory.js';
import { replies } from '../session/replies.js';
import type { MailContext, PolicyCheck } from './verdict.js';

export function declaredSizeCheck(maxMessageBytes: number): PolicyCheck<MailContext> {
  return {
    name: 'size',
    check: ({ declaredSizeBytes }) =>
      declaredSizeBytes !== undefined && declaredSizeBytes > maxMessageBytes ? { kind: 'reject', reply: replies.messageTooBig(maxMessageBytes) } : { kind: 'continue' },
  };
}

export const submissionAuthCheck: PolicyCheck<MailContext> = {
  name: 'submission-auth',
  check: ({ listener, user }) => (listener !== 'mx' && user === null ? { kind: 'reject', reply: replies.authRequired() } : { kind: 'continue' }),
};

export function senderOwnershipCheck(directory: Directory): PolicyCheck<MailContext> {
  return {
    name: 'sender-ownership',
    async check({ user, sender }) {
      if (user === null) return { kind: 'continue' };
      if (sender === user.address) return { kind: 'continue' };
      // The null sender is for bounces (RFC 5321 §4.5.5), which users do not send.
      const alias = sender === '' ? null : await directory.getAlias(sender);
      if (alias !== null && alias.targets.includes(user.address)) return { kind: 'continue' };
      return { kind: 'reject', reply: replies.senderNotOwned(sender, user.address) };
    },
  };
}
