// PASS password (RFC 1939 §7): checks USER's name and this password; on failure the session stays
// in AUTHORIZATION and USER must be sent again.
import { errorReply } from '../replies.js';
import { lines, type Pop3CommandHandler } from './types.js';

export const passCommand: Pop3CommandHandler<'PASS'> = {
  allowedStates: ['authorization'],
  async run(context, command) {
    if (!context.secure) return lines(errorReply('plaintextDisallowed'));
    const username = context.pendingUser;
    context.pendingUser = null;
    if (username === null) return lines(errorReply('userFirst'));
    return context.login(username, command.password);
  },
};
