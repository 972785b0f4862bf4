// QUIT (RFC 1939 §4, §6): in AUTHORIZATION just ends; in TRANSACTION enters UPDATE, which removes
// the messages marked deleted, then ends.
import { formatOk } from '../protocol/responses.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const quitCommand: Pop3CommandHandler<'QUIT'> = {
  allowedStates: ['authorization', 'transaction'],
  run(context) {
    if (context.state === 'transaction') return context.update();
    return lines(formatOk('Bye'), 'close');
  },
};
