// Policy as small typed checks per SMTP phase (STYLE.md habit 5). Each check returns a verdict;
// the phase runs its checks in array order and stops at the first that is not `continue`.
import type { SpfVerdict } from '../../../core/mail/jobs.js';
import type { User } from '../../../core/ports/directory.js';
import type { SmtpReply } from '../protocol/reply.js';

export type ListenerKind = 'mx' | 'submission' | 'submissions';

export type PolicyVerdict<Accepted = never> =
  | { readonly kind: 'continue' }
  | { readonly kind: 'accept'; readonly value: Accepted }
  | { readonly kind: 'reject'; readonly reply: SmtpReply }
  | { readonly kind: 'tempfail'; readonly reply: SmtpReply };

export interface PolicyCheck<Context, Accepted = never> {
  /** Short name for logs (`dnsbl`, `spf`, `relay`). */
  readonly name: string;
  check(context: Context): Promise<PolicyVerdict<Accepted>> | PolicyVerdict<Accepted>;
}

export interface ConnectContext {
  readonly clientIp: string;
  readonly listener: ListenerKind;
}

export interface MailContext extends ConnectContext {
  readonly helo: string;
  readonly tls: boolean;
  readonly user: User | null;
  /** Canonical reverse-path, '' for the null sender. */
  readonly sender: string;
  /** SIZE= as declared, if given. */
  readonly declaredSizeBytes: number | undefined;
  /** Facts earlier mail checks found (SPF), carried to delivery. */
  readonly facts: MailFacts;
}

export interface MailFacts {
  spf?: SpfVerdict;
}

export interface RcptContext extends ConnectContext {
  readonly user: User | null;
  readonly sender: string;
  /** Canonical recipient address. */
  readonly recipient: string;
}

/** Where an accepted recipient's copy goes: the delivery queue or the outbound queue. */
export type RecipientRoute = 'local' | 'remote';

export interface SmtpPolicy {
  readonly connect: readonly PolicyCheck<ConnectContext>[];
  readonly mail: readonly PolicyCheck<MailContext>[];
  /** Must end with a check that accepts or rejects; a recipient nobody accepted is refused. */
  readonly rcpt: readonly PolicyCheck<RcptContext, RecipientRoute>[];
}

export async function runChecks<Context, Accepted>(
  checks: readonly PolicyCheck<Context, Accepted>[],
  context: Context,
): Promise<PolicyVerdict<Accepted>> {
  for (const check of checks) {
    const verdict = await check.check(context);
    if (verdict.kind !== 'continue') return verdict;
  }
  return { kind: 'continue' };
}
