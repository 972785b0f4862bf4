// AUTH PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) per RFC 4954, only over TLS and
// only on submission listeners. Failures are throttled per IP and per user (core/auth); passwords
// never reach a log line.
import { replies } from '../replies.js';
import type { CommandHandler, CommandOutcome } from '../command.js';
import type { SessionData } from '../types.js';

const USERNAME_PROMPT = Buffer.from('Username:').toString('base64');
const PASSWORD_PROMPT = Buffer.from('Password:').toString('base64');

/** Strict base64 (RFC 4648 §4); null when the client sent something else. */
function decodeBase64(text: string): string | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/u.test(text)) return null;
  return Buffer.from(text, 'base64').toString('utf8');
}

async function verify(session: SessionData, username: string, password: string): Promise<CommandOutcome> {
  const outcome = await session.deps.authenticate({ clientIp: session.connection.clientIp, username, password });
  if (outcome.ok) {
    session.user = outcome.user;
    session.log.info('auth succeeded', { user: outcome.user.address });
    return { reply: replies.authSucceeded() };
  }
  session.log.warn('auth failed', { username, reason: outcome.reason });
  return { reply: outcome.reason === 'throttled' ? replies.authThrottled() : replies.authFailed() };
}

/** Runs `step` on the client's next line, handling `*` (cancel, RFC 4954 §4) and bad base64. */
function expectLine(challenge: string, step: (decoded: string) => Promise<CommandOutcome>): CommandOutcome {
  return {
    reply: replies.authChallenge(challenge),
    next: 'auth-continue',
    continuation: async (line) => {
      if (line.trim() === '*') return { reply: replies.authCancelled() };
      const decoded = decodeBase64(line.trim());
      return decoded === null ? { reply: replies.authBadEncoding() } : step(decoded);
    },
  };
}

function plain(session: SessionData, decoded: string): Promise<CommandOutcome> {
  // RFC 4616 §2: [authzid] NUL authcid NUL passwd; we do not let one user act as another.
  const parts = decoded.split('\0');
  const [authzid, username, password] = parts;
  if (parts.length !== 3 || username === undefined || password === undefined || (authzid !== '' && authzid !== username)) {
    return Promise.resolve({ reply: replies.authFailed() });
  }
  return verify(session, username, password);
}

export const auth: CommandHandler<'AUTH'> = {
  allowedIn: ['idle'],
  async run(command, session) {
    if (session.user !== null) return { reply: replies.badSequence('already authenticated') };
    if (!session.connection.tls) return { reply: replies.tlsRequired() };
    if (session.connection.listener === 'mx') return { reply: replies.unrecognized() };
    const { mechanism, initialResponse } = command;
    if (mechanism === 'PLAIN') {
      if (initialResponse === null) return expectLine('', (decoded) => plain(session, decoded));
      const decoded = initialResponse === '=' ? '' : decodeBase64(initialResponse); // RFC 4954 §4: `=` is empty
      return decoded === null ? { reply: replies.authBadEncoding() } : plain(session, decoded);
    }
    if (mechanism === 'LOGIN') {
      const askPassword = (username: string) => expectLine(PASSWORD_PROMPT, (password) => verify(session, username, password));
      if (initialResponse !== null) {
        const username = decodeBase64(initialResponse);
        return username === null ? { reply: replies.authBadEncoding() } : askPassword(username);
      }
      return expectLine(USERNAME_PROMPT, async (username) => askPassword(username));
    }
    return { reply: replies.unsupportedMechanism() };
  },
};
