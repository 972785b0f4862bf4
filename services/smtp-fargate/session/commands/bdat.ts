// BDAT (RFC 3030 §2): a chunk of exactly N raw octets follows the command. Even a refused BDAT's
// octets are read and dropped, or they would be taken for commands.
import { replies } from '../replies.js';
import { ANY_STATE, type CommandHandler } from '../command.js';

export const bdat: CommandHandler<'BDAT'> = {
  allowedIn: ANY_STATE,
  async run(command, session) {
    const { chunkBytes, last } = command;
    const base = { reply: null, next: 'bdat', chunkBytes, last } as const;
    if (session.state === 'mail') return { ...base, rejection: replies.noValidRecipients() };
    if (session.state !== 'rcpt' && session.state !== 'bdat') return { ...base, rejection: replies.badSequence('send MAIL FROM and RCPT TO before BDAT') };
    return base;
  },
};
