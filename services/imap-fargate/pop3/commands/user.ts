// USER name (RFC 1939 §7): remembers the name for PASS. Refused before TLS (RFC 2595 §4).
import { errorReply } from '../replies.js';
import { formatOk } from '../protocol/responses.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const userCommand: Pop3CommandHandler<'USER'> = {
  allowedStates: ['authorization'],
  run(context, command) {
    if (!context.secure) return lines(errorReply('plaintextDisallowed'));
    context.pendingUser = command.name;
    return lines(formatOk('Send PASS'));
  },
};
