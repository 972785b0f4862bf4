// QUOTA (RFC 9208): one quota root "" per user with the STORAGE resource, in units of 1,024 octets.
// SETQUOTA is for administrators (`yubin quota set`), not clients.
import { ArgumentReader } from '../../protocol/token-readers.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { wireMailboxName } from '../mailbox-names.js';
import { no } from '../replies.js';
import type { ImapSession } from '../session.js';

async function writeQuota(session: ImapSession): Promise<void> {
  const user = (await session.deps.storage.directory.getUserById(session.user!.id)) ?? session.user!;
  if (user.quotaBytes === null) {
    session.io.write('* QUOTA "" ()\r\n');
    return;
  }
  const usage = await session.deps.storage.mailIndex.getQuotaUsage(user.id);
  session.io.write(`* QUOTA "" (STORAGE ${Math.ceil(usage.usedBytes / 1024)} ${Math.floor(user.quotaBytes / 1024)})\r\n`);
}

export const getQuotaRoot: Command = {
  states: AUTHENTICATED,
  async run({ session, args }) {
    const reader = new ArgumentReader(args, 'GETQUOTAROOT');
    const name = reader.mailbox(session.utf8);
    reader.end();
    if ((await session.deps.storage.mailIndex.getMailbox(session.user!.id, name)) === null) throw no('NONEXISTENT', 'No such mailbox');
    session.io.write(`* QUOTAROOT ${wireMailboxName(session, name)} ""\r\n`);
    await writeQuota(session);
    return { status: 'OK', text: 'GETQUOTAROOT completed' };
  },
};

export const getQuota: Command = {
  states: AUTHENTICATED,
  async run({ session, args }) {
    const reader = new ArgumentReader(args, 'GETQUOTA');
    const root = reader.astring('quota root');
    reader.end();
    if (root !== '') throw no('NONEXISTENT', 'The only quota root is ""');
    await writeQuota(session);
    return { status: 'OK', text: 'GETQUOTA completed' };
  },
};

export const setQuota: Command = {
  states: AUTHENTICATED,
  async run() {
    throw no('NOPERM', 'Quotas are set by the administrator (yubin quota set)');
  },
};
