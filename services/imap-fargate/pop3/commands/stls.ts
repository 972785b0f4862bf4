// STLS (RFC 2595 §4): the shell starts TLS right after this +OK and discards anything the client
// pipelined behind it; the session then offers USER, PASS and AUTH.
import { formatOk } from '../protocol/responses.js';
import { errorReply } from '../replies.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const stlsCommand: Pop3CommandHandler<'STLS'> = {
  allowedStates: ['authorization'],
  run(context) {
    if (context.secure) return lines(errorReply('tlsActive'));
    if (!context.environment.stlsAvailable) return lines(errorReply('tlsUnavailable'));
    return lines(formatOk('Begin TLS negotiation'), 'start-tls');
  },
};
