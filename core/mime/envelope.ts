// The IMAP ENVELOPE of a message (RFC 3501 §7.4.2, RFC 9051 §7.5.2) from its top-level header:
// raw unfolded values, addresses split into name/mailbox/host, first occurrence of each field.
import type { Envelope } from '../mail/message-structure.js';
import { parseAddressList } from './address-list.js';
import { headerValue, type HeaderField } from './header-block.js';

export function buildEnvelope(fields: readonly HeaderField[]): Envelope {
  const from = parseAddressList(headerValue(fields, 'from'));
  return {
    date: headerValue(fields, 'date'),
    subject: headerValue(fields, 'subject'),
    from,
    // RFC 3501 §7.4.2: an absent or empty Sender or Reply-To takes the value of From.
    sender: parseAddressList(headerValue(fields, 'sender')) ?? from,
    replyTo: parseAddressList(headerValue(fields, 'reply-to')) ?? from,
    to: parseAddressList(headerValue(fields, 'to')),
    cc: parseAddressList(headerValue(fields, 'cc')),
    bcc: parseAddressList(headerValue(fields, 'bcc')),
    inReplyTo: headerValue(fields, 'in-reply-to'),
    messageId: headerValue(fields, 'message-id'),
  };
}
