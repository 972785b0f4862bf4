// RFC 3464 delivery status notifications: a multipart/report (RFC 6522) with a human-readable part,
// the machine-readable message/delivery-status, and the returned message or its headers (RET, RFC
// 3461 §4.3). General enough for local bounces and for the egress worker's remote failures and delays.
import { randomBytes } from 'node:crypto';
import { explainStatus } from './status-explanations.js';

/** RFC 3464 §2.3.3 action values. */
export type DsnAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

export interface DsnRecipientReport {
  /** The address delivery was attempted to (RFC 3464 §2.3.2). */
  readonly finalRecipient: string;
  /** ORCPT as the client gave it (`rfc822;user@example.com`), RFC 3464 §2.3.1. */
  readonly originalRecipient?: string;
  readonly action: DsnAction;
  /** RFC 3463 enhanced status, e.g. `5.2.2`. */
  readonly status: string;
  /** The SMTP reply that decided it, e.g. `552 5.2.2 Mailbox full` (RFC 3464 §2.3.6). */
  readonly diagnosticCode?: string;
  /** The remote server that gave the reply (RFC 3464 §2.3.5). */
  readonly remoteMta?: string;
  readonly lastAttemptDate?: Date;
  /** For `delayed`: when retries stop (RFC 3464 §2.3.9). */
  readonly willRetryUntil?: Date;
  /** Plain words for the human-readable part when the status alone says too little (a remote reply). */
  readonly explanation?: { readonly what: string; readonly whatToDo: string };
}

export interface DeliveryStatusReport {
  /** Our host name, for Reporting-MTA and the From address. */
  readonly reportingMta: string;
  /** Where the report goes: the original envelope sender (never empty: nobody bounces a bounce). */
  readonly to: string;
  readonly recipients: readonly DsnRecipientReport[];
  /** ENVID from MAIL FROM (RFC 3461 §4.4). */
  readonly originalEnvelopeId?: string;
  /** The client that handed us the message (RFC 3464 §2.2.4). */
  readonly receivedFromMta?: string;
  readonly arrivalDate?: Date;
  /** Subject of the original message, quoted in the human-readable part. */
  readonly originalSubject?: string;
  readonly date?: Date;
}

/** What to return of the original message (RFC 3461 §4.3 RET): all of it, its header, or nothing. */
export type ReturnedContent =
  | { readonly kind: 'full'; readonly message: AsyncIterable<Uint8Array> }
  | { readonly kind: 'headers'; readonly header: string }
  | { readonly kind: 'none' };

export interface BuiltDsn {
  readonly messageId: string;
  readonly subject: string;
  /** The whole RFC 5322 message, streamed (a FULL return streams the original through). */
  readonly content: AsyncIterable<Uint8Array>;
}

const CRLF = '\r\n';

/** RFC 5322 §3.3 date-time, always in UTC. */
export function formatRfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** RFC 3464 §2.1.2 address-type: rfc822, or utf-8 (RFC 6533 §3) for internationalised addresses. */
function typedAddress(address: string): string {
  return /^[\x20-\x7e]*$/.test(address) ? `rfc822;${address}` : `utf-8;${address}`;
}

/** Header field values must stay on one line and in ASCII. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
}

function severity(report: DeliveryStatusReport): DsnAction {
  const actions = new Set(report.recipients.map((recipient) => recipient.action));
  if (actions.has('failed')) return 'failed';
  if (actions.has('delayed')) return 'delayed';
  return 'delivered';
}

const SUBJECTS: Readonly<Record<'failed' | 'delayed' | 'delivered', string>> = {
  failed: 'Undelivered mail returned to sender',
  delayed: 'Delayed mail (still being retried)',
  delivered: 'Delivery report: your message was delivered',
};

function humanReadablePart(report: DeliveryStatusReport): string {
  const lines = [`This is the mail system at ${report.reportingMta}.`, ''];
  if (report.originalSubject !== undefined) lines.push(`Your message "${report.originalSubject}":`, '');
  for (const recipient of report.recipients) {
    const explanation = recipient.explanation ?? explainStatus(recipient.status);
    lines.push(`  ${recipient.finalRecipient}: ${recipient.action}`, `    ${explanation.what}`, `    What to do: ${explanation.whatToDo}`);
    if (recipient.diagnosticCode) lines.push(`    The server said: ${oneLine(recipient.diagnosticCode)}`);
    if (recipient.willRetryUntil) lines.push(`    Retrying until ${formatRfc5322Date(recipient.willRetryUntil)}.`);
    lines.push('');
  }
  return lines.join(CRLF);
}

/** RFC 3464 §2.2 per-message fields, then §2.3 per-recipient fields, each group ending in a blank line. */
function deliveryStatusPart(report: DeliveryStatusReport): string {
  const perMessage = [`Reporting-MTA: dns;${report.reportingMta}`];
  if (report.originalEnvelopeId) perMessage.push(`Original-Envelope-Id: ${oneLine(report.originalEnvelopeId)}`);
  if (report.receivedFromMta) perMessage.push(`Received-From-MTA: dns;${oneLine(report.receivedFromMta)}`);
  if (report.arrivalDate) perMessage.push(`Arrival-Date: ${formatRfc5322Date(report.arrivalDate)}`);
  const groups = [perMessage];
  for (const recipient of report.recipients) {
    const fields: string[] = [];
    if (recipient.originalRecipient) fields.push(`Original-Recipient: ${oneLine(recipient.originalRecipient)}`);
    fields.push(`Final-Recipient: ${typedAddress(recipient.finalRecipient)}`, `Action: ${recipient.action}`, `Status: ${recipient.status}`);
    if (recipient.remoteMta) fields.push(`Remote-MTA: dns;${oneLine(recipient.remoteMta)}`);
    if (recipient.diagnosticCode) fields.push(`Diagnostic-Code: smtp;${oneLine(recipient.diagnosticCode)}`);
    if (recipient.lastAttemptDate) fields.push(`Last-Attempt-Date: ${formatRfc5322Date(recipient.lastAttemptDate)}`);
    if (recipient.willRetryUntil) fields.push(`Will-Retry-Until: ${formatRfc5322Date(recipient.willRetryUntil)}`);
    groups.push(fields);
  }
  return groups.map((fields) => fields.join(CRLF) + CRLF).join(CRLF);
}

/** Builds the DSN message; its envelope sender must be empty (RFC 3461 §6.2) so it never bounces back. */
export function buildDeliveryStatusNotification(report: DeliveryStatusReport, returned: ReturnedContent): BuiltDsn {
  if (report.recipients.length === 0) throw new Error('a DSN needs at least one recipient');
  const boundary = `dsn-${randomBytes(12).toString('hex')}`;
  const date = report.date ?? new Date();
  const messageId = `<${randomBytes(12).toString('hex')}@${report.reportingMta}>`;
  const subject = SUBJECTS[severity(report) as keyof typeof SUBJECTS];
  const header = [
    `From: Mail Delivery System <MAILER-DAEMON@${report.reportingMta}>`,
    `To: <${report.to}>`,
    `Subject: ${subject}`,
    `Date: ${formatRfc5322Date(date)}`,
    `Message-ID: ${messageId}`,
    'Auto-Submitted: auto-replied', // RFC 3834 §5: no auto-responder should answer this
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  ].join(CRLF);
  const opening =
    header +
    CRLF +
    CRLF +
    'This is a MIME-encapsulated delivery status notification.' +
    CRLF +
    `--${boundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}` +
    humanReadablePart(report) +
    CRLF +
    `--${boundary}${CRLF}Content-Type: message/delivery-status${CRLF}${CRLF}` +
    deliveryStatusPart(report) +
    CRLF;

  async function* content(): AsyncIterable<Uint8Array> {
    yield Buffer.from(opening);
    if (returned.kind === 'full') {
      // RFC 3464 §2: the returned message is a message/rfc822 part; 8bit since we do not re-encode it.
      yield Buffer.from(`--${boundary}${CRLF}Content-Type: message/rfc822${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}`);
      let lastByte = 0x0a;
      for await (const chunk of returned.message) {
        if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!;
        yield chunk;
      }
      if (lastByte !== 0x0a) yield Buffer.from(CRLF);
    } else if (returned.kind === 'headers') {
      // RFC 6522 §4: text/rfc822-headers carries the original header section only.
      const originalHeader = returned.header.endsWith(CRLF) ? returned.header : returned.header + CRLF;
      yield Buffer.from(`--${boundary}${CRLF}Content-Type: text/rfc822-headers${CRLF}${CRLF}${originalHeader}`);
    }
    yield Buffer.from(`${CRLF}--${boundary}--${CRLF}`);
  }
  return { messageId, subject, content: content() };
}
