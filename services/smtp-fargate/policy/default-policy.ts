// The policy order, in one place (docs/smtp.md "Policy order"). Cheap checks first, DNS last.
import type { DNSResolver } from 'mailauth';
import type { Directory } from '../../../core/ports/directory.js';
import type { MailIndex } from '../../../core/ports/mail-index.js';
import { dnsblCheck, type ResolveA } from './dnsbl.js';
import { declaredSizeCheck, senderOwnershipCheck, submissionAuthCheck } from './mail-checks.js';
import { connectionRateCheck, messageRateCheck, type RateLimit } from './rate-limit.js';
import { authenticatedRelayCheck, hostedRecipientCheck } from './recipient-checks.js';
import { spfCheck } from './spf.js';
import type { ConnectContext, MailContext, PolicyCheck, SmtpPolicy } from './verdict.js';

export interface PolicyOptions {
  readonly directory: Directory;
  readonly mailIndex: MailIndex;
  readonly hostname: string;
  readonly maxMessageBytes: number;
  /** New connections per IP per window (connect phase); null = no limit. */
  readonly connectionRate: RateLimit | null;
  /** MAIL commands per IP per window; null = no limit. */
  readonly messageRate: RateLimit | null;
  /** DNSBL zones (e.g. `zen.spamhaus.org`); none by default. */
  readonly dnsblZones: readonly string[];
  readonly resolveA?: ResolveA;
  /** SPF at MAIL FROM; off when absent (local mode has no DNS to ask). */
  readonly spf?: { readonly resolver?: DNSResolver; readonly rejectFail: boolean };
}

export const DEFAULT_CONNECTION_RATE: RateLimit = { max: 600, windowMs: 60_000 };
export const DEFAULT_MESSAGE_RATE: RateLimit = { max: 6_000, windowMs: 60_000 };

export function buildSmtpPolicy(options: PolicyOptions): SmtpPolicy {
  const connect: PolicyCheck<ConnectContext>[] = [];
  if (options.connectionRate !== null) connect.push(connectionRateCheck(options.connectionRate));
  if (options.dnsblZones.length > 0 && options.resolveA !== undefined) connect.push(dnsblCheck(options.dnsblZones, options.resolveA));
  const mail: PolicyCheck<MailContext>[] = [declaredSizeCheck(options.maxMessageBytes), submissionAuthCheck, senderOwnershipCheck(options.directory)];
  if (options.messageRate !== null) mail.push(messageRateCheck(options.messageRate));
  if (options.spf !== undefined) mail.push(spfCheck({ hostname: options.hostname, ...options.spf }));
  return { connect, mail, rcpt: [hostedRecipientCheck(options.directory, options.mailIndex), authenticatedRelayCheck] };
}
