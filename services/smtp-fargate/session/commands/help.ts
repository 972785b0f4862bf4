// HELP (RFC 5321 §4.1.1.8).
import { replies } from '../replies.js';
import { ANY_STATE, type CommandHandler } from '../command.js';

export const help: CommandHandler<'HELP'> = {
  allowedIn: ANY_STATE,
  async run() {
    return { reply: replies.help() };
  },
};
