// EHLO (RFC 5321 §4.1.1.1): greets, resets any transaction and lists the extensions we speak.
import { replies } from '../replies.js';
import { ANY_STATE, resetTransaction, type CommandHandler } from '../command.js';
import type { SessionData } from '../types.js';

function extensions(session: SessionData): string[] {
  const keywords = [
    'PIPELINING', // RFC 2920
    `SIZE ${session.deps.limits.maxMessageBytes}`, // RFC 1870
    '8BITMIME', // RFC 6152
    'SMTPUTF8', // RFC 6531
    'ENHANCEDSTATUSCODES', // RFC 2034
    'CHUNKING', // RFC 3030
    'BINARYMIME', // RFC 3030
    'DSN', // RFC 3461
  ];
  const { connection } = session;
  if (connection.startTlsAvailable && !connection.tls) keywords.push('STARTTLS'); // RFC 3207
  // RFC 8689 §4.1: offered once TLS is up, since only then may MAIL carry it. We can promise it
  // because egress honours it (validated TLS to an authenticated MX, or a DSN; docs/egress.md).
  if (connection.tls) keywords.push('REQUIRETLS');
  // RFC 4954 §4 + brief §4.2: no plaintext credentials, and only submission ports log users in.
  if (connection.tls && connection.listener !== 'mx' && session.user === null) keywords.push('AUTH PLAIN LOGIN');
  return keywords;
}

export const ehlo: CommandHandler<'EHLO'> = {
  allowedIn: ANY_STATE,
  async run(command, session) {
    session.helo = command.domain;
    session.esmtp = true;
    resetTransaction(session);
    return { reply: replies.ehlo(session.deps.hostname, command.domain, extensions(session)) };
  },
};
