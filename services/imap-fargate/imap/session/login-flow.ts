// The end of LOGIN and AUTHENTICATE: check the password through core/auth (throttled per IP and
// account), cap sessions per user, make sure the default mailboxes exist, enter authenticated state.
import { authenticate as checkCredentials } from '../../../../core/auth/authenticate.js';
import { ensureDefaultMailboxes } from '../../../../core/storage/default-mailboxes.js';
import { no, type TaggedReply } from './replies.js';
import type { ImapSession } from './session.js';

export async function completeLogin(session: ImapSession, username: string, password: string): Promise<TaggedReply> {
  if (!session.authAllowed()) throw no('PRIVACYREQUIRED', 'Use STARTTLS (or port 993) before logging in');
  const outcome = await checkCredentials(session.deps.storage.directory, session.deps.authThrottle, { clientIp: session.connection.clientIp, username, password });
  if (!outcome.ok) {
    session.log.info('login refused', { username: username.slice(0, 200), reason: outcome.reason });
    if (outcome.reason === 'throttled') throw no('UNAVAILABLE', 'Too many failed logins; wait a few minutes and try again');
    if (outcome.reason === 'account-disabled') throw no('CONTACTADMIN', 'This account is disabled; contact your administrator');
    throw no('AUTHENTICATIONFAILED', 'Authentication failed: check the address and password');
  }
  if (!session.deps.userLimiter.acquire(outcome.user.id)) {
    throw no('LIMIT', 'Too many connections for this account; close other mail clients and try again');
  }
  session.user = outcome.user;
  session.state = 'authenticated';
  await ensureDefaultMailboxes(session.deps.storage.mailIndex, outcome.user.id);
  session.log.info('login', { user: outcome.user.address });
  return { status: 'OK', code: `CAPABILITY ${session.capabilities().join(' ')}`, text: 'Logged in' };
}
