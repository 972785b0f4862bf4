// One SMTP session with one server (a remote MX or the smarthost), on nodemailer's SMTP client: it
// exposes each RCPT reply, so 250/4xx/5xx are told apart per recipient (RFC 5321 §3.3). Several
// batches of recipients reuse the session (RSET between transactions, RFC 5321 §4.1.1.5).
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { resultOfReply, sameResultForAll, type OutboundMessage, type RecipientResult } from './transport.js';

export interface SmtpTarget {
  /** Address to connect to (already resolved for MX hosts). */
  readonly address: string;
  readonly port: number;
  /** The name the server is known by: TLS SNI and certificate check, Remote-MTA in DSNs. */
  readonly hostname: string;
  /** Our EHLO name (RFC 5321 §4.1.1.1: our fully qualified domain name). */
  readonly heloName: string;
  /** `opportunistic`: STARTTLS when offered, any certificate; `required`: STARTTLS with a valid certificate. */
  readonly tls: 'opportunistic' | 'required' | 'implicit';
  /** RFC 8689 §4.2.1: send `MAIL FROM … REQUIRETLS`; a server that does not offer it gets nothing. */
  readonly requireTlsExtension?: boolean;
  readonly tlsOptions?: ConnectionOptions;
  readonly auth?: { readonly user: string; readonly pass: string };
  readonly timeoutMs?: number;
}

/** RFC 5321 §4.5.3.1.8: servers must take at least 100 recipients per transaction. */
export const RECIPIENTS_PER_TRANSACTION = 100;

type Connection = InstanceType<typeof SMTPConnection>;

interface SmtpError extends Error {
  readonly response?: string;
  readonly responseCode?: number;
  readonly recipient?: string;
  readonly rejectedErrors?: readonly SmtpError[];
  readonly code?: string;
  /** The command nodemailer was at when it failed (`STARTTLS`, `MAIL FROM`, …). */
  readonly command?: string;
}

function connect(target: SmtpTarget): Promise<Connection> {
  const timeoutMs = target.timeoutMs ?? 60_000;
  const connection = new SMTPConnection({
    host: target.address,
    port: target.port,
    name: target.heloName,
    secure: target.tls === 'implicit',
    requireTLS: target.tls === 'required',
    opportunisticTLS: target.tls === 'opportunistic',
    // RFC 6066 §3: SNI carries host names only, never addresses.
    servername: isIP(target.hostname) ? undefined : target.hostname,
    // Opportunistic STARTTLS accepts any certificate (RFC 7435 §3: better than plaintext); MTA-STS
    // enforce and the smarthost demand a valid one for the MX/host name (RFC 8461 §4.2).
    tls: {
      rejectUnauthorized: target.tls !== 'opportunistic',
      servername: isIP(target.hostname) ? undefined : target.hostname,
      // We connect to an address: the certificate must name the host, never just that address.
      checkServerIdentity: (_address, certificate) => checkServerIdentity(target.hostname, certificate),
      ...target.tlsOptions,
    },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 5,
    socketCloseTimeout: 1000,
  });
  return new Promise((resolve, reject) => {
    connection.once('error', reject);
    connection.connect(() => {
      connection.removeListener('error', reject);
      connection.on('error', () => undefined); // later errors reach the send callbacks
      resolve(connection);
    });
  });
}

function login(connection: Connection, auth: { user: string; pass: string }): Promise<void> {
  return new Promise((resolve, reject) => connection.login({ credentials: auth }, (error) => (error ? reject(error) : resolve())));
}

function reset(connection: Connection): Promise<void> {
  return new Promise((resolve, reject) => connection.reset((error) => (error ? reject(error) : resolve())));
}

function sendOne(connection: Connection, message: OutboundMessage, recipients: readonly string[], requireTlsExtension: boolean) {
  return new Promise<{ accepted: string[]; rejectedErrors: readonly SmtpError[]; response: string }>((resolve, reject) => {
    const envelope = {
      from: message.mailFrom === '' ? (false as const) : message.mailFrom,
      to: [...recipients],
      size: message.sizeBytes,
      requireTLSExtensionEnabled: requireTlsExtension,
    };
    connection.send(envelope, Readable.from(message.content()), (error, info) => {
      if (error || !info) reject(error ?? new Error('no reply'));
      else resolve({ accepted: info.accepted, rejectedErrors: (info.rejectedErrors ?? []) as SmtpError[], response: info.response });
    });
  });
}

/** Why no server reply decided it: our words, in the shape of a reply, for the DSN. */
function connectionFailure(error: SmtpError, target: SmtpTarget): Omit<RecipientResult, 'recipient'> {
  const remoteMta = target.hostname;
  // RFC 8689 §4.2.1: the next hop must take the requirement on; nothing is sent to one that does not.
  if (error.code === 'EREQUIRETLS') {
    return { outcome: 'failed', status: '5.7.30', reply: `550 5.7.30 REQUIRETLS support required: ${remoteMta} does not offer REQUIRETLS`, remoteMta };
  }
  // STARTTLS refused or not offered where TLS is required: never continue in plaintext. Under
  // REQUIRETLS that is final (5.7.10 encryption needed); under MTA-STS or a smarthost, retried.
  if (error.code === 'ETLS' && error.command === 'STARTTLS' && error.response) {
    const answer = error.response.replace(/\s+/g, ' ').trim();
    return target.requireTlsExtension
      ? { outcome: 'failed', status: '5.7.10', reply: `550 5.7.10 REQUIRETLS: ${remoteMta} does not offer STARTTLS (${answer})`, remoteMta }
      : { outcome: 'deferred', status: '4.7.5', reply: `451 4.7.5 ${remoteMta} does not offer STARTTLS, which is required (${answer})`, remoteMta };
  }
  if (error.response) return { ...resultOfReply('', error.response, remoteMta) };
  const tlsProblem = error.code === 'ETLS' || /certificate|TLS|SSL/i.test(error.message);
  const reply = tlsProblem
    ? `451 4.7.5 TLS with ${remoteMta} failed: ${error.message}`
    : `451 4.4.1 No answer from ${remoteMta}: ${error.message}`;
  return { outcome: 'deferred', status: tlsProblem ? '4.7.5' : '4.4.1', reply, remoteMta };
}

function resultsOfTransaction(
  recipients: readonly string[],
  outcome: { accepted: string[]; rejectedErrors: readonly SmtpError[]; response: string },
  target: SmtpTarget,
): RecipientResult[] {
  const rejected = new Map(outcome.rejectedErrors.map((error) => [error.recipient ?? '', error.response ?? '451 4.0.0 rejected']));
  return recipients.map((recipient) => resultOfReply(recipient, rejected.get(recipient) ?? outcome.response, target.hostname));
}

export interface SmtpDeliveryReport {
  readonly results: RecipientResult[];
  /** False when no session was opened (connection, greeting or TLS failed): another MX may do better. */
  readonly sessionOpened: boolean;
  /**
   * True when this server cannot carry the message's REQUIRETLS promise (no STARTTLS, no REQUIRETLS):
   * a verdict on the host, not on the recipients, so another MX may still qualify (RFC 8689 §4.2.1).
   */
  readonly hostUnqualified: boolean;
}

/** RFC 8689 §4.2.1: REQUIRETLS verdicts of ours that judge the server, not the recipient. */
function isRequireTlsRefusal(error: SmtpError, target: SmtpTarget): boolean {
  return error.code === 'EREQUIRETLS' || (target.requireTlsExtension === true && error.code === 'ETLS' && error.command === 'STARTTLS' && !!error.response);
}

/** Delivers to every recipient over one session; every recipient gets a result, whatever happens. */
export async function deliverOverSmtp(
  target: SmtpTarget,
  message: OutboundMessage,
  recipients: readonly string[],
): Promise<SmtpDeliveryReport> {
  let connection: Connection;
  try {
    connection = await connect(target);
  } catch (error) {
    const failure = error as SmtpError;
    return { results: sameResultForAll(recipients, connectionFailure(failure, target)), sessionOpened: false, hostUnqualified: isRequireTlsRefusal(failure, target) };
  }
  try {
    if (target.auth) await login(connection, target.auth);
  } catch (error) {
    connection.quit();
    // Refused credentials are our configuration problem, not the recipients': retry, never bounce.
    const reply = `451 4.7.0 ${target.hostname} refused our credentials: ${(error as SmtpError).response ?? (error as Error).message}`;
    return {
      results: sameResultForAll(recipients, { outcome: 'deferred', status: '4.7.0', reply, remoteMta: target.hostname }),
      sessionOpened: true,
      hostUnqualified: false,
    };
  }
  const results: RecipientResult[] = [];
  let hostUnqualified = false;
  try {
    for (let start = 0; start < recipients.length; start += RECIPIENTS_PER_TRANSACTION) {
      const batch = recipients.slice(start, start + RECIPIENTS_PER_TRANSACTION);
      try {
        if (start > 0) await reset(connection);
        results.push(...resultsOfTransaction(batch, await sendOne(connection, message, batch, target.requireTlsExtension === true), target));
      } catch (error) {
        const failure = error as SmtpError;
        // Every recipient refused: nodemailer reports the RCPT replies with the error.
        if (failure.rejectedErrors?.length)
          results.push(
            ...resultsOfTransaction(
              batch,
              { accepted: [], rejectedErrors: failure.rejectedErrors, response: failure.response ?? '' },
              target,
            ),
          );
        else results.push(...sameResultForAll(batch, connectionFailure(failure, target)));
        if (isRequireTlsRefusal(failure, target)) hostUnqualified = true;
        if (!failure.response) break;
      }
    }
  } finally {
    connection.quit();
  }
  const done = new Set(results.map((result) => result.recipient));
  const unreached = recipients.filter((recipient) => !done.has(recipient));
  const lost = {
    outcome: 'deferred',
    status: '4.4.2',
    reply: `451 4.4.2 Connection to ${target.hostname} lost`,
    remoteMta: target.hostname,
  } as const;
  return { results: [...results, ...sameResultForAll(unreached, lost)], sessionOpened: true, hostUnqualified };
}
