// LIST [msg] (RFC 1939 §5): scan listings "number octets"; the octets are what RETR sends before
// dot-stuffing (docs/pop3.md, "Octet counts").
import { formatMultiline, formatOk } from '../protocol/responses.js';
import { errorReply } from '../replies.js';
import { isStep, lookupMessage } from './message-lookup.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const listCommand: Pop3CommandHandler<'LIST'> = {
  allowedStates: ['transaction'],
  run(context, command) {
    if (command.messageNumber !== null) {
      const found = lookupMessage(context, command.messageNumber);
      if (isStep(found)) return found;
      return lines(formatOk(`${found.message.number} ${found.message.sizeBytes}`));
    }
    if (context.maildrop === null) return lines(errorReply('wrongState'));
    const { count, sizeBytes } = context.maildrop.stat();
    const listings = context.maildrop.live().map((message) => `${message.number} ${message.sizeBytes}`);
    return lines(formatMultiline(`${count} messages (${sizeBytes} octets)`, listings));
  },
};
