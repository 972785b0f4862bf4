// NOOP and CHECK (RFC 3501 §6.1.2, §6.4.1; CHECK is NOOP in RFC 9051): the tagged reply carries
// pending mailbox updates, which is how polling clients learn of new mail.
import { ANY, type Command } from '../command.js';

export const noop: Command = {
  states: ANY,
  async run({ session, args }) {
    if (args.length > 0) return { status: 'BAD', code: 'CLIENTBUG', text: 'NOOP takes no arguments' };
    session.selected?.markDirty();
    return { status: 'OK', text: 'NOOP completed' };
  },
};
