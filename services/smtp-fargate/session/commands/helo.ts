// HELO (RFC 5321 §4.1.1.1): the pre-ESMTP greeting; no extensions, and a reset like EHLO.
import { replies } from '../replies.js';
import { ANY_STATE, resetTransaction, type CommandHandler } from '../command.js';

export const helo: CommandHandler<'HELO'> = {
  allowedIn: ANY_STATE,
  async run(command, session) {
    session.helo = command.domain;
    session.esmtp = false;
    resetTransaction(session);
    return { reply: replies.helo(session.deps.hostname) };
  },
};
