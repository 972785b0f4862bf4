// VRFY (RFC 5321 §3.5.3): answered with 252 so the directory cannot be harvested through it.
import { replies } from '../replies.js';
import { ANY_STATE, type CommandHandler } from '../command.js';

export const vrfy: CommandHandler<'VRFY'> = {
  allowedIn: ANY_STATE,
  async run(command) {
    if (command.argument === '') return { reply: replies.syntax('VRFY needs an address') };
    return { reply: replies.cannotVerify() };
  },
};
