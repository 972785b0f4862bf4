// Every reply the SMTP service sends, in one table: reply code (RFC 5321 §4.2), enhanced code with
// its RFC 3463 meaning, and a text that tells the reader what to do (design brief §6). Storage
// errors map to replies here and nowhere else.
import { isStorageError } from '../../../core/ports/errors.js';
import type { SmtpReply } from '../protocol/reply.js';

function reply(code: number, enhanced: string | undefined, ...lines: string[]): SmtpReply {
  return enhanced === undefined ? { code, lines } : { code, enhanced, lines };
}

export const replies = {
  // 2xx
  greeting: (hostname: string) => reply(220, undefined, `${hostname} ESMTP Yubin`),
  startTlsReady: () => reply(220, '2.0.0', 'Ready to start TLS'),
  closing: (hostname: string) => reply(221, '2.0.0', `${hostname} closing connection`),
  help: () => reply(214, '2.0.0', 'Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH', 'See RFC 5321 or https://www.rfc-editor.org/rfc/rfc5321'),
  authSucceeded: () => reply(235, '2.7.0', 'Authentication successful'), // RFC 4954 §6
  ok: () => reply(250, '2.0.0', 'Ok'), // 2.0.0 other/undefined success
  ehlo: (hostname: string, clientName: string, keywords: readonly string[]) => reply(250, undefined, `${hostname} greets ${clientName}`, ...keywords),
  helo: (hostname: string) => reply(250, undefined, hostname),
  senderOk: () => reply(250, '2.1.0', 'Sender ok'), // 2.1.0 other address status
  recipientOk: () => reply(250, '2.1.5', 'Recipient ok'), // 2.1.5 destination address valid
  chunkReceived: (octets: number) => reply(250, '2.0.0', `${octets} octets received`),
  queued: (id: string) => reply(250, '2.0.0', `Ok: queued as ${id}`),
  cannotVerify: () => reply(252, '2.5.0', 'Cannot VRFY user, but will accept the message and attempt delivery'), // RFC 5321 §3.5.3
  // 3xx
  startMailInput: () => reply(354, undefined, 'End data with <CR><LF>.<CR><LF>'),
  authChallenge: (base64: string) => reply(334, undefined, base64),
  // 4xx: try again later
  timeout: (hostname: string) => reply(421, '4.4.2', `${hostname} Error: timeout exceeded; reconnect and try again`),
  shuttingDown: (hostname: string) => reply(421, '4.3.2', `${hostname} Service shutting down; try again later`),
  tooManyConnections: () => reply(421, '4.7.0', 'Too many connections from your address; try again later'),
  tooManyMessages: () => reply(421, '4.7.0', 'Too many messages from your address; slow down and try again later'),
  tooManyErrors: () => reply(421, '4.7.0', 'Too many errors; closing connection'),
  temporaryFailure: () => reply(451, '4.3.0', 'Temporary failure storing the message; nothing was accepted, try again later'),
  localError: () => reply(451, '4.3.0', 'Temporary local problem; try again later'),
  policyTemporaryFailure: (what: string) => reply(451, '4.4.3', `Temporary ${what} lookup failure; try again later`),
  tooManyRecipients: (max: number) => reply(452, '4.5.3', `Too many recipients; at most ${max} per message, send the rest in another message`),
  authThrottled: () => reply(454, '4.7.0', 'Too many failed authentication attempts; wait a few minutes and try again'),
  // 5xx: do not retry as is
  tlsUnavailable: () => reply(454, '4.7.0', 'TLS not available; try again later'), // RFC 3207 §4
  unrecognized: () => reply(500, '5.5.1', 'Command not recognized'),
  lineTooLong: (max: number) => reply(500, '5.5.2', `Line too long; at most ${max} octets per command`),
  syntax: (detail: string) => reply(501, '5.5.4', `Syntax error: ${detail}`),
  badSenderSyntax: (detail: string) => reply(501, '5.1.7', `Bad sender address syntax: ${detail}`),
  badRecipientSyntax: (detail: string) => reply(501, '5.1.3', `Bad recipient address syntax: ${detail}`),
  authCancelled: () => reply(501, '5.0.0', 'Authentication cancelled'), // RFC 4954 §4
  authBadEncoding: () => reply(501, '5.5.2', 'Cannot decode the base64 response'),
  badSequence: (detail: string) => reply(503, '5.5.1', `Bad sequence of commands: ${detail}`),
  unsupportedMechanism: () => reply(504, '5.5.4', 'Unrecognized authentication mechanism; use PLAIN or LOGIN'),
  tlsRequired: () => reply(530, '5.7.0', 'Must issue a STARTTLS command first'),
  // RFC 8689 §4.1 + RFC 5248 X.7.10 "Encryption needed": the requirement needs a TLS session to start from.
  requireTlsNeedsTls: () => reply(530, '5.7.10', 'REQUIRETLS requires TLS; issue STARTTLS first, then send MAIL FROM again'),
  authRequired: () => reply(530, '5.7.0', 'Authentication required; log in with your address and password before sending'),
  authFailed: () => reply(535, '5.7.8', 'Authentication credentials invalid; check your address and password'), // RFC 4954 §6
  userUnknown: (address: string) => reply(550, '5.1.1', `<${address}>: Recipient address rejected: User unknown; check the spelling of the address`),
  mailboxDisabled: (address: string) => reply(550, '5.2.1', `<${address}>: Mailbox disabled; the recipient cannot receive mail`),
  userNotLocal: (movedTo: string) => reply(551, '5.1.6', `User not local; please try <${movedTo}>`), // RFC 5321 §3.4
  mailboxFull: (address: string) => reply(552, '5.2.2', `<${address}>: Mailbox full; the recipient must free some space first`),
  messageTooBig: (maxBytes: number) => reply(552, '5.3.4', `Message size exceeds fixed limit of ${maxBytes} octets; send a smaller message`),
  senderNotOwned: (address: string, user: string) =>
    reply(553, '5.7.1', `<${address}>: Sender address rejected: not owned by user ${user}; send from your own address or one of its aliases`),
  nonAsciiNeedsSmtpUtf8: () => reply(553, '5.6.7', 'Non-ASCII address requires the SMTPUTF8 parameter'), // RFC 6531 §3.7.4.1
  relayDenied: (address: string) => reply(554, '5.7.1', `<${address}>: Relay access denied; log in to send mail to other domains`),
  clientBlocked: (ip: string, zone: string) => reply(554, '5.7.1', `Service unavailable; client host [${ip}] blocked using ${zone}; ask your mail provider to get delisted`),
  spfRejected: (domain: string, ip: string) =>
    reply(554, '5.7.1', `SPF check failed: ${domain} does not designate [${ip}] as a permitted sender; fix the SPF record or send through an authorised server`),
  noValidRecipients: () => reply(554, '5.5.1', 'No valid recipients'), // RFC 2920 §3.1
  bareLineEnding: () => reply(521, '5.5.2', 'Error: bare <LF> or <CR> received; end every line with <CR><LF>'), // Postfix smtpd_forbid_bare_newline
  unknownParameter: (detail: string) => reply(555, '5.5.4', `${detail}`),
} as const;

/** The one storage-error table: what a failed spool or lookup tells the client. Unknown errors are temporary. */
export function replyForStorageError(error: unknown, maxMessageBytes: number): SmtpReply {
  if (isStorageError(error, 'invalid')) return replies.messageTooBig(maxMessageBytes);
  return replies.temporaryFailure();
}
