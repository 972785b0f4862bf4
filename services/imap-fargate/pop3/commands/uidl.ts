// UIDL [msg] (RFC 1939 §7): "number unique-id", the id being UIDVALIDITY.UID, so a client that
// leaves mail on the server never downloads a message twice.
import { formatMultiline, formatOk } from '../protocol/responses.js';
import { errorReply } from '../replies.js';
import { isStep, lookupMessage } from './message-lookup.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const uidlCommand: Pop3CommandHandler<'UIDL'> = {
  allowedStates: ['transaction'],
  run(context, command) {
    if (command.messageNumber !== null) {
      const found = lookupMessage(context, command.messageNumber);
      if (isStep(found)) return found;
      return lines(formatOk(`${found.message.number} ${found.message.uidl}`));
    }
    if (context.maildrop === null) return lines(errorReply('wrongState'));
    const listings = context.maildrop.live().map((message) => `${message.number} ${message.uidl}`);
    return lines(formatMultiline('Unique-id listing follows', listings));
  },
};
