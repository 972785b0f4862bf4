// The end of LOGIN and AUTHENTICATE: check the password through core/auth (throttled per IP and
// account), cap sessions per user, make sure the default mailboxes exist, enter authenticated state.
import { authenticate as checkCredentials } from '../../../../core/auth/authenticate.js';
import { isStorageError, type MailIndex, type SpecialUse } from '../../../../core/ports/index.js';
import { no, type TaggedReply } from './replies.js';
import type { ImapSession } from './session.js';

/** New users get these (issue 5 scope; RFC 6154 attributes). */
export const DEFAULT_MAILBOXES: readonly (readonly [string, SpecialUse | null])[] = [
  ['INBOX', null],
  ['Sent', '\\Sent'],
  ['Drafts', '\\Drafts'],
  ['Trash', '\\Trash'],
  ['Junk', '\\Junk'],
  ['Archive', '\\Archive'],
];

export async function ensureDefaultMailboxes(index: MailIndex, userId: string): Promise<void> {
  const existing = new Set((await index.listMailboxes(userId)).map((m) => m.name));
  for (const [name, specialUse] of DEFAULT_MAILBOXES) {
    if (existing.has(name)) continue;
    try {
      await index.createMailbox(userId, name, { specialUse, subscribed: true });
    } catch (error) {
      if (!isStorageError(error, 'already-exists')) throw error; // another session of this user won the race
    }
  }
}

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
