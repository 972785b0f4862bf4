// The IMAP ENVELOPE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) as it goes on the wire, and the string
// quoting it needs (RFC 3501 §4.3). Here rather than in the IMAP protocol module because the mail
// index caches the serialised form with each message (as Dovecot's cache does), so a header sync
// parses nothing: the adapters write it at append, the IMAP service writes it out.
import type { Envelope, EnvelopeAddress } from './message-structure.js';

export interface StringOptions {
  /** After ENABLE UTF8=ACCEPT, 8-bit text may be quoted (RFC 6855 §3); otherwise it goes as a literal. */
  readonly utf8: boolean;
}

/** Long values go as literals: some clients cap quoted strings. */
const MAX_QUOTED_CHARS = 1000;

/** One pass over the characters (this runs for every ENVELOPE field of a 10,000-message sync). */
export function imapString(value: string, options: StringOptions): string {
  let escapes = false;
  let quotable = value.length <= MAX_QUOTED_CHARS;
  for (let i = 0; quotable && i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x22 || code === 0x5c) escapes = true;
    else if (code < 0x20 || code === 0x7f || (code > 0x7f && !options.utf8)) quotable = false;
  }
  if (!quotable) return `{${Buffer.byteLength(value, 'utf8')}}\r\n${value}`;
  return escapes ? `"${value.replace(/[\\"]/gu, (c) => '\\' + c)}"` : `"${value}"`;
}

export function imapNString(value: string | null, options: StringOptions): string {
  return value === null ? 'NIL' : imapString(value, options);
}

function addressList(addresses: readonly EnvelopeAddress[] | null, options: StringOptions): string {
  if (addresses === null || addresses.length === 0) return 'NIL';
  // RFC 3501 §9 env-from etc.: "(" 1*address ")", addresses written back to back.
  let text = '(';
  for (const a of addresses) text += `(${imapNString(a.name, options)} NIL ${imapNString(a.mailbox, options)} ${imapNString(a.host, options)})`;
  return text + ')';
}

/** The parenthesised ENVELOPE value: `(date subject from sender reply-to to cc bcc in-reply-to message-id)`. */
export function formatEnvelope(envelope: Envelope, options: StringOptions): string {
  // RFC 3501 §7.4.2: sender and reply-to default to from when absent.
  const from = addressList(envelope.from, options);
  const sender = envelope.sender ? addressList(envelope.sender, options) : from;
  const replyTo = envelope.replyTo ? addressList(envelope.replyTo, options) : from;
  return (
    `(${imapNString(envelope.date, options)} ${imapNString(envelope.subject, options)} ${from} ${sender} ${replyTo} ` +
    `${addressList(envelope.to, options)} ${addressList(envelope.cc, options)} ${addressList(envelope.bcc, options)} ` +
    `${imapNString(envelope.inReplyTo, options)} ${imapNString(envelope.messageId, options)})`
  );
}

/**
 * An ENVELOPE serialised once for every kind of session. The two forms differ only when a value
 * holds 8-bit text (an SMTPUTF8 message, or raw UTF-8 in a header): IMAP4rev1 sessions get it as a
 * literal, UTF8=ACCEPT sessions as a quoted string, so the second is kept only when it differs.
 */
export interface ImapEnvelopeText {
  /** For every session that has not enabled UTF8=ACCEPT. */
  readonly text: string;
  /** For UTF8=ACCEPT sessions; null when it is the same as `text`. */
  readonly utf8Text: string | null;
}

export function serializeEnvelope(envelope: Envelope): ImapEnvelopeText {
  const text = formatEnvelope(envelope, { utf8: false });
  // Without a literal there is no 8-bit value, so both forms are the same (quoting is otherwise identical).
  if (!text.includes('}\r\n')) return { text, utf8Text: null };
  const utf8Text = formatEnvelope(envelope, { utf8: true });
  return { text, utf8Text: utf8Text === text ? null : utf8Text };
}

/** The form for a session (`utf8`: it enabled UTF8=ACCEPT). */
export function envelopeTextFor(envelope: ImapEnvelopeText, utf8: boolean): string {
  return utf8 && envelope.utf8Text !== null ? envelope.utf8Text : envelope.text;
}
