// The trace header every hop prepends (RFC 5321 §4.4), with the protocol keywords of RFC 3848
// (ESMTP, ESMTPS, ESMTPA, ESMTPSA; UTF8SMTP… for SMTPUTF8, RFC 6531 §3.7.3).

export interface ReceivedTrace {
  readonly helo: string;
  readonly clientIp: string;
  readonly byHostname: string;
  readonly esmtp: boolean;
  readonly tls: boolean;
  readonly authenticated: boolean;
  readonly smtpUtf8: boolean;
  readonly id: string;
  /** Named only when the message has exactly one recipient (RFC 5321 §4.4: FOR with more leaks Bcc). */
  readonly singleRecipient: string | null;
  readonly date: Date;
}

/** RFC 5322 §3.3 date-time, e.g. `Mon, 30 Nov 2026 15:13:09 +0000`. */
export function formatRfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/u, '+0000');
}

function protocolKeyword(trace: ReceivedTrace): string {
  if (!trace.esmtp) return 'SMTP';
  const base = `${trace.smtpUtf8 ? 'UTF8SMTP' : 'ESMTP'}${trace.tls ? 'S' : ''}${trace.authenticated ? 'A' : ''}`;
  return base;
}

/** The header line, CRLF-terminated, folded before `by` and `for` to stay well under 78 columns. */
export function formatReceivedHeader(trace: ReceivedTrace): string {
  const helo = trace.helo.replace(/[^\x21-\x7e]/gu, '?'); // a hostile HELO must not break the header
  const ipLiteral = trace.clientIp.includes(':') ? `IPv6:${trace.clientIp}` : trace.clientIp;
  const recipient = trace.singleRecipient === null ? '' : `\r\n\tfor <${trace.singleRecipient}>`;
  return `Received: from ${helo} ([${ipLiteral}])\r\n\tby ${trace.byHostname} (Yubin) with ${protocolKeyword(trace)} id ${trace.id}${recipient};\r\n\t${formatRfc5322Date(trace.date)}\r\n`;
}
