// CAPABILITY (RFC 3501 §6.1.1).
import { ANY, type Command } from '../command.js';

export const capability: Command = {
  states: ANY,
  async run({ session }) {
    session.io.write(`* CAPABILITY ${session.capabilities().join(' ')}\r\n`);
    return { status: 'OK', text: 'Capability completed' };
  },
};
