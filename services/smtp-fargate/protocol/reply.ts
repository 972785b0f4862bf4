// SMTP replies as data, and their wire form. RFC 5321 §4.2: `code SP text` on the last line,
// `code - text` on the ones before; RFC 2034 §3: with ENHANCEDSTATUSCODES every line carries the
// enhanced code after the reply code.

export interface SmtpReply {
  /** Three-digit reply code (RFC 5321 §4.2.1). */
  readonly code: number;
  /** RFC 3463 enhanced status code (`class.subject.detail`), absent for 220/221 greetings and 334. */
  readonly enhanced?: string;
  readonly lines: readonly string[];
}

export function formatReply(reply: SmtpReply): string {
  const lines = reply.lines.length === 0 ? [''] : reply.lines;
  const prefix = reply.enhanced === undefined ? '' : `${reply.enhanced} `;
  return lines.map((line, index) => `${reply.code}${index === lines.length - 1 ? ' ' : '-'}${prefix}${line}\r\n`).join('');
}

