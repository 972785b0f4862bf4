// QUIT (RFC 5321 §4.1.1.10): 221, then the server closes.
import { replies } from '../replies.js';
import { ANY_STATE, type CommandHandler } from '../command.js';

export const quit: CommandHandler<'QUIT'> = {
  allowedIn: ANY_STATE,
  async run(_command, session) {
    return { reply: replies.closing(session.deps.hostname), next: 'close' };
  },
};
