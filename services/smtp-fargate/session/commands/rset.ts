// RSET (RFC 5321 §4.1.1.5): abandons the transaction; the session aborts any message being spooled.
import { replies } from '../replies.js';
import { ANY_STATE, resetTransaction, type CommandHandler } from '../command.js';

export const rset: CommandHandler<'RSET'> = {
  allowedIn: ANY_STATE,
  async run(_command, session) {
    resetTransaction(session);
    return { reply: replies.ok() };
  },
};
