// CAPA (RFC 2449 §5): what this server supports right now. Before TLS on the plaintext port only STLS
// leads to a login, so USER and SASL are not offered there (RFC 2595 §4).
import { formatMultiline } from '../protocol/responses.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const capaCommand: Pop3CommandHandler<'CAPA'> = {
  allowedStates: ['authorization', 'transaction'],
  run(context) {
    const capabilities = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
    if (context.state === 'authorization') {
      if (context.secure) capabilities.push('USER', 'SASL PLAIN');
      else if (context.environment.stlsAvailable) capabilities.push('STLS');
    }
    capabilities.push('IMPLEMENTATION Yubin');
    return lines(formatMultiline('Capability list follows', capabilities));
  },
};
