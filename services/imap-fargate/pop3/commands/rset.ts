// RSET (RFC 1939 §5): unmarks every message marked deleted in this session.
import { formatOk } from '../protocol/responses.js';
import { errorReply } from '../replies.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const rsetCommand: Pop3CommandHandler<'RSET'> = {
  allowedStates: ['transaction'],
  run(context) {
    if (context.maildrop === null) return lines(errorReply('wrongState'));
    context.maildrop.resetDeletions();
    const { count, sizeBytes } = context.maildrop.stat();
    return lines(formatOk(`Maildrop has ${count} messages (${sizeBytes} octets)`));
  },
};
