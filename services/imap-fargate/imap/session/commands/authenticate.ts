// AUTHENTICATE PLAIN (RFC 3501 §6.2.2, RFC 4616) with the initial response inline (SASL-IR, RFC 4959)
// or after an empty continuation request.
import { ArgumentReader } from '../../protocol/token-readers.js';
import { NOT_AUTHENTICATED, type Command } from '../command.js';
import { completeLogin } from '../login-flow.js';
import { bad, no, type TaggedReply } from '../replies.js';
import type { ImapSession } from '../session.js';

async function plain(session: ImapSession, response: string): Promise<TaggedReply> {
  if (response === '*') throw bad('Authentication cancelled');
  if (!/^[A-Za-z0-9+/]*={0,2}$/u.test(response)) throw bad('Response is not base64', 'CLIENTBUG');
  const [authzid, authcid, password, extra] = Buffer.from(response, 'base64').toString('utf8').split('\0');
  if (authcid === undefined || password === undefined || extra !== undefined) throw bad('Malformed PLAIN response');
  // RFC 4616 §2: acting as another user (a different authzid) is not offered.
  if (authzid !== undefined && authzid !== '' && authzid.toLowerCase() !== authcid.toLowerCase()) throw no('AUTHORIZATIONFAILED', 'Cannot act as another user');
  return completeLogin(session, authcid, password);
}

export const authenticate: Command = {
  states: NOT_AUTHENTICATED,
  async run({ session, tag, args }) {
    const reader = new ArgumentReader(args, 'AUTHENTICATE');
    const mechanism = reader.atom('mechanism').toUpperCase();
    const initial = reader.remaining > 0 ? reader.astring('initial response') : null;
    reader.end();
    if (mechanism !== 'PLAIN') throw no('CANNOT', `Mechanism ${mechanism.slice(0, 20)} is not supported; use PLAIN`);
    if (!session.authAllowed()) throw no('PRIVACYREQUIRED', 'Use STARTTLS (or port 993) before logging in');
    if (initial !== null) return plain(session, initial === '=' ? '' : initial);
    session.io.write('+ \r\n');
    session.pending = { tag, onLine: (line) => plain(session, line.trim()) };
    return null;
  },
};
