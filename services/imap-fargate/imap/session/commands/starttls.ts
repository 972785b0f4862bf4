// STARTTLS (RFC 3501 §6.2.1, RFC 9051 §6.2.1): after the OK, TLS starts and anything the client
// pipelined in plaintext is discarded by the server (command injection, CVE-2011-0411 class).
import { NOT_AUTHENTICATED, type Command } from '../command.js';
import { bad, formatTagged } from '../replies.js';

export const startTls: Command = {
  states: NOT_AUTHENTICATED,
  async run({ session, tag, args }) {
    if (args.length > 0) throw bad('STARTTLS takes no arguments');
    if (session.connection.secure || !session.connection.startTlsAvailable) throw bad('TLS is already active or not offered here');
    session.io.write(formatTagged(tag, { status: 'OK', text: 'Begin TLS negotiation now' }));
    await session.io.startTls();
    session.connection = { ...session.connection, secure: true };
    return null;
  },
};
