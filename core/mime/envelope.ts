// The IMAP ENVELOPE of a message (RFC 3501 §7.4.2, RFC 9051 §7.5.2) from its top-level header:
// raw unfolded values, addresses split into name/mailbox/host, first occurrence of each field.
import type { Envelope } from '../mail/message-structure.js';
import { parseAddressList } from './address-list.js';
import type { HeaderValues } from './header-block.js';

/** The header fields buildEnvelope() looks at. */
export const ENVELOPE_FIELD_NAMES: ReadonlySet<string> = new Set([
  'date',
  'subject',
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'in-reply-to',
  'message-id',
]);

export function buildEnvelope(values: HeaderValues): Envelope {
  const headerValue = (name: string): string | null => values.get(name) ?? null;
  const from = parseAddressList(headerValue('from'));
  return {
    date: headerValue('date'),
    subject: headerValue('subject'),
    from,
    // RFC 3501 §7.4.2: an absent or empty Sender or Reply-To takes the value of From.
    sender: parseAddressList(headerValue('sender')) ?? from,
    replyTo: parseAddressList(headerValue('reply-to')) ?? from,
    to: parseAddressList(headerValue('to')),
    cc: parseAddressList(headerValue('cc')),
    bcc: parseAddressList(headerValue('bcc')),
    inReplyTo: headerValue('in-reply-to'),
    messageId: headerValue('message-id'),
  };
}
