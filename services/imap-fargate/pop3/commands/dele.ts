// DELE msg (RFC 1939 §5): marks the message; nothing is removed before QUIT enters UPDATE.
import { formatOk } from '../protocol/responses.js';
import { isStep, lookupMessage } from './message-lookup.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const deleCommand: Pop3CommandHandler<'DELE'> = {
  allowedStates: ['transaction'],
  run(context, command) {
    const found = lookupMessage(context, command.messageNumber);
    if (isStep(found)) return found;
    found.maildrop.markDeleted(found.message);
    return lines(formatOk(`Message ${found.message.number} marked deleted`));
  },
};
