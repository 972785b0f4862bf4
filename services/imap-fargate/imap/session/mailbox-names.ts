// Mailbox names on the wire: modified UTF-7 unless the client enabled UTF8=ACCEPT (RFC 6855 §3).
import { encodeMutf7 } from '../../../../core/mail/mutf7.js';
import { imapString } from '../protocol/imap-strings.js';
import { MAILBOX_DELIMITER } from '../../../../core/ports/index.js';
import type { ImapSession } from './session.js';

export function wireMailboxName(session: ImapSession, name: string): string {
  return imapString(session.utf8 ? name : encodeMutf7(name), { utf8: session.utf8 });
}

export const WIRE_DELIMITER = `"${MAILBOX_DELIMITER}"`;
