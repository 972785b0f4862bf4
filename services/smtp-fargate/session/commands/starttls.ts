// STARTTLS (RFC 3207): 220, then the server upgrades the socket. The session drops anything the
// client pipelined behind the command (RFC 3207 §5, injection defence) and forgets what it learnt
// in plaintext once TLS is up (§4.2).
import { replies } from '../replies.js';
import type { CommandHandler } from '../command.js';

export const starttls: CommandHandler<'STARTTLS'> = {
  allowedIn: ['new', 'idle'],
  async run(_command, session) {
    if (session.connection.tls) return { reply: replies.badSequence('TLS is already active') };
    if (!session.connection.startTlsAvailable) return { reply: replies.tlsUnavailable() };
    return { reply: replies.startTlsReady(), next: 'starttls' };
  },
};
