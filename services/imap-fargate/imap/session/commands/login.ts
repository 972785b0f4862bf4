// LOGIN (RFC 3501 §6.2.3): refused with LOGINDISABLED semantics until TLS is on.
import { ArgumentReader } from '../../protocol/token-readers.js';
import { NOT_AUTHENTICATED, type Command } from '../command.js';
import { completeLogin } from '../login-flow.js';

export const login: Command = {
  states: NOT_AUTHENTICATED,
  async run({ session, args }) {
    const reader = new ArgumentReader(args, 'LOGIN');
    const username = reader.astring('user name');
    const password = reader.astring('password');
    reader.end();
    return completeLogin(session, username, password);
  },
};
