// RENAME (RFC 3501 §6.3.5): renaming INBOX is refused (RFC 9051 allows moving its messages; we do not).
import { ArgumentReader } from '../../protocol/token-readers.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { no } from '../replies.js';

/** Limits on names we store: non-empty levels, bounded length, no control characters. */
export function validateNewMailboxName(name: string): void {
  if (name === 'INBOX') throw no('ALREADYEXISTS', 'INBOX always exists');
  // eslint-disable-next-line no-control-regex -- control characters are what we refuse
  if (name === '' || name.length > 500 || name.split('/').some((level) => level === '') || /[\x00-\x1f\x7f*%]/u.test(name)) {
    throw no('CANNOT', 'Mailbox names need non-empty levels separated by "/", without * or %, at most 500 characters');
  }
}

export const rename: Command = {
  states: AUTHENTICATED,
  async run({ session, args }) {
    const reader = new ArgumentReader(args, 'RENAME');
    const from = reader.mailbox(session.utf8);
    const to = reader.mailbox(session.utf8);
    reader.end();
    if (from === 'INBOX') throw no('CANNOT', 'INBOX cannot be renamed; move its messages instead');
    validateNewMailboxName(to);
    await session.deps.storage.mailIndex.renameMailbox(session.user!.id, from, to);
    return { status: 'OK', text: 'RENAME completed' };
  },
};
