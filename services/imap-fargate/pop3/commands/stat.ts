// STAT (RFC 1939 §5): "+OK count octets" over the messages not marked deleted.
import { formatOk } from '../protocol/responses.js';
import { errorReply } from '../replies.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const statCommand: Pop3CommandHandler<'STAT'> = {
  allowedStates: ['transaction'],
  run(context) {
    if (context.maildrop === null) return lines(errorReply('wrongState'));
    const { count, sizeBytes } = context.maildrop.stat();
    return lines(formatOk(`${count} ${sizeBytes}`));
  },
};
