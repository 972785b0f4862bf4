// AUTH (RFC 5034): SASL PLAIN only, with or without an initial response. Bare AUTH lists the
// mechanisms (the older RFC 1734 form some clients still probe with). Refused before TLS.
import { decodeSaslPlain } from '../protocol/sasl-plain.js';
import { formatMultiline, formatSaslChallenge } from '../protocol/responses.js';
import { errorReply } from '../replies.js';
import { lines, type Pop3CommandHandler, type Pop3Context, type Pop3Step } from './types.js';

async function loginWithPlain(context: Pop3Context, response: string): Promise<Pop3Step> {
  if (response === '*') return lines(errorReply('authCancelled')); // RFC 5034 §4: client cancels
  const credentials = decodeSaslPlain(response === '=' ? '' : response); // "=" is an empty response
  if (credentials === null) return lines(errorReply('badSaslResponse'));
  const { authorizationId, username, password } = credentials;
  // RFC 4616 §2: acting as another identity would need proxy rights, which nobody has here.
  if (authorizationId !== '' && authorizationId.toLowerCase() !== username.toLowerCase()) {
    return lines(errorReply('authorizationIdRefused'));
  }
  return context.login(username, password);
}

export const authCommand: Pop3CommandHandler<'AUTH'> = {
  allowedStates: ['authorization'],
  async run(context, command) {
    if (command.mechanism === null) return lines(formatMultiline('Supported mechanisms follow', context.secure ? ['PLAIN'] : []));
    if (!context.secure) return lines(errorReply('plaintextDisallowed'));
    if (command.mechanism !== 'PLAIN') return lines(errorReply('mechanismUnsupported'));
    if (command.initialResponse !== null) return loginWithPlain(context, command.initialResponse);
    context.awaitSaslResponse((line) => loginWithPlain(context, line));
    return lines(formatSaslChallenge(''));
  },
};
