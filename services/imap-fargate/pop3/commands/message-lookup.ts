// Resolves a message-number argument against the session's maildrop (RFC 1939 §5: a number that
// does not exist or is marked deleted gets -ERR). Shared by LIST, UIDL, RETR, TOP and DELE.
import type { Maildrop, MaildropMessage } from '../maildrop.js';
import { errorReply } from '../replies.js';
import { lines, type Pop3Context, type Pop3Step } from './types.js';

export function lookupMessage(context: Pop3Context, messageNumber: number): { readonly maildrop: Maildrop; readonly message: MaildropMessage } | Pop3Step {
  const maildrop = context.maildrop;
  if (maildrop === null) return lines(errorReply('wrongState'));
  const found = maildrop.lookup(messageNumber);
  if (found === 'no-such-message') return lines(errorReply('noSuchMessage'));
  if (found === 'deleted') return lines(errorReply('alreadyDeleted'));
  return { maildrop, message: found };
}

export function isStep(value: object): value is Pop3Step {
  return 'reply' in value;
}
