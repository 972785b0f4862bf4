// NOOP (RFC 5321 §4.1.1.9).
import { replies } from '../replies.js';
import { ANY_STATE, type CommandHandler } from '../command.js';

export const noop: CommandHandler<'NOOP'> = {
  allowedIn: ANY_STATE,
  async run() {
    return { reply: replies.ok() };
  },
};
