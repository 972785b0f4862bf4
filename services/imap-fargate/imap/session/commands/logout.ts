// LOGOUT (RFC 3501 §6.1.3): BYE, then the tagged OK, then the connection closes.
import { ANY, type Command } from '../command.js';
import { formatTagged } from '../replies.js';

export const logout: Command = {
  states: ANY,
  async run({ session, tag }) {
    session.io.write('* BYE Logging out\r\n');
    session.io.write(formatTagged(tag, { status: 'OK', text: 'Logout completed' }));
    session.close();
    session.io.close();
    return null;
  },
};
