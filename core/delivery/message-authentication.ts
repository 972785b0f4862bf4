// Verifies DKIM (RFC 6376), ARC (RFC 8617) and DMARC (RFC 7489) of a message with mailauth, together
// with the SPF verdict the SMTP session took at MAIL FROM, and writes the Authentication-Results
// header field (RFC 8601). DNS goes through the given resolver, so tests can serve their own keys.
import type { Readable } from 'node:stream';
import { arc, dkimVerify, dmarc } from 'mailauth';
import type { InboundDeliveryJob } from '../mail/jobs.js';
import { decodeHeaderLines, headerLineText, type HeaderField } from './header-fields.js';

/** mailauth's resolver shape: `dns.promises.resolve`. */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

export type AuthResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror' | 'policy';

export interface DkimSignatureResult {
  readonly domain: string;
  readonly result: AuthResult;
}

export interface MessageAuthentication {
  readonly dkim: readonly DkimSignatureResult[];
  readonly spf: AuthResult;
  readonly arc: AuthResult;
  readonly dmarc: { readonly result: AuthResult; readonly policy: string; readonly domain: string } | null;
  /** DMARC failed under p=reject (RFC 7489 §6.6.4): the message must not be delivered. */
  readonly dmarcRejects: boolean;
  /** The sender logged in to our submission service: its mail is ours, not subject to DMARC policy. */
  readonly senderAuthenticated: boolean;
  /** The complete `Authentication-Results: …` field, folded, without the final CRLF. */
  readonly headerField: string;
  /** The message's header fields, decoded, in order. */
  readonly headers: readonly HeaderField[];
  /** The message's header section as received, for RET=HDRS bounces. */
  readonly rawHeader: string;
}

function asResult(value: unknown): AuthResult {
  const known: readonly string[] = ['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'policy'];
  if (value === 'temperr') return 'temperror';
  return typeof value === 'string' && known.includes(value) ? (value as AuthResult) : 'none';
}

/** RFC 8601 §2.2: a property value is a token or a quoted-string; addresses are tokens in practice. */
function propertyValue(text: string): string {
  return /^[\x21-\x7e]+$/.test(text) && !/[()";\\]/.test(text) ? text : `"${text.replace(/["\\]/g, '\\$&')}"`;
}

function spfFragment(job: InboundDeliveryJob): string {
  const result = job.spf?.result ?? 'none';
  // RFC 8601 §2.7.2: smtp.mailfrom; the null sender is checked as postmaster@HELO (RFC 7208 §2.4).
  const mailFrom = job.envelope.mailFrom || `postmaster@${job.client.helo}`;
  return `spf=${result} smtp.mailfrom=${propertyValue(mailFrom)}`;
}

export interface AuthenticateOptions {
  /** Our authserv-id (RFC 8601 §2.5): the host name. */
  readonly authServId: string;
  readonly resolver: DnsResolver;
}

/** Reads the message once to its end (DKIM body hashes need it all) and returns every verdict. */
export async function authenticateMessage(
  message: Readable,
  job: InboundDeliveryJob,
  options: AuthenticateOptions,
): Promise<MessageAuthentication> {
  const { resolver } = options;
  const dkimResult = await dkimVerify(message, { resolver, sender: job.envelope.mailFrom || undefined });
  const arcResult = await arc(dkimResult.arc as never, { resolver });
  const spf = asResult(job.spf?.result);
  const passingSpfDomains = spf === 'pass' && job.spf ? [job.spf.domain] : [];
  const dmarcResult =
    dkimResult.headerFrom.length > 0
      ? await dmarc({
          headerFrom: dkimResult.headerFrom,
          spfDomains: passingSpfDomains,
          dkimDomains: dkimResult.results
            .filter((row) => row.status.result === 'pass')
            .map((row) => ({ id: row.id, domain: row.signingDomain, aligned: row.status.aligned, underSized: row.status.underSized })),
          arcResult,
          resolver,
        })
      : false;

  const senderAuthenticated = job.client.authenticatedAs !== undefined;
  const fragments: string[] = [];
  // RFC 8601 §2.7.4: auth= reports SMTP AUTH (RFC 4954) of the submitting client.
  if (senderAuthenticated) fragments.push(`auth=pass smtp.auth=${propertyValue(job.client.authenticatedAs ?? '')}`);
  for (const row of dkimResult.results) fragments.push(row.info);
  fragments.push(spfFragment(job));
  if (arcResult.info) fragments.push(arcResult.info);
  if (dmarcResult && dmarcResult.info) fragments.push(dmarcResult.info);
  const headerField = `Authentication-Results: ${options.authServId};\r\n ${fragments.join(';\r\n ')}`;

  const dmarcVerdict = dmarcResult
    ? { result: asResult(dmarcResult.status.result), policy: dmarcResult.policy ?? 'none', domain: dmarcResult.domain }
    : null;
  const parsedLines = dkimResult.headers?.parsed ?? [];
  return {
    dkim: dkimResult.results
      .filter((row) => row.signingDomain)
      .map((row) => ({ domain: row.signingDomain, result: asResult(row.status.result) })),
    spf,
    arc: asResult(arcResult.status.result),
    dmarc: dmarcVerdict,
    dmarcRejects: !senderAuthenticated && dmarcVerdict?.result === 'fail' && dmarcVerdict.policy === 'reject',
    senderAuthenticated,
    headerField,
    headers: decodeHeaderLines(parsedLines),
    rawHeader: parsedLines.map((row) => headerLineText(row.line) + '\r\n').join(''),
  };
}
