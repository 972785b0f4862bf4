// CREATE (RFC 3501 §6.3.3) with CREATE-SPECIAL-USE (RFC 6154 §3): `CREATE name (USE (\Sent))`.
import { isStorageError, type SpecialUse } from '../../../../../core/ports/index.js';
import { ArgumentReader } from '../../protocol/token-readers.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { no } from '../replies.js';
import { validateNewMailboxName } from './rename.js';

const SPECIAL_USES = new Set<string>(['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged']);

export const create: Command = {
  states: AUTHENTICATED,
  async run({ session, args }) {
    const reader = new ArgumentReader(args, 'CREATE');
    let name = reader.mailbox(session.utf8);
    let specialUse: SpecialUse | null = null;
    if (reader.remaining > 0) {
      const params = new ArgumentReader(reader.list('create parameters'), 'CREATE');
      if (params.atom('USE').toUpperCase() !== 'USE') throw no('CLIENTBUG', 'Only the USE parameter is supported');
      const uses = params.list('special-use list');
      const use = uses[0];
      if (uses.length !== 1 || use?.kind !== 'atom') throw no('USEATTR', 'Give exactly one special-use attribute');
      const canonical = [...SPECIAL_USES].find((u) => u.toLowerCase() === use.value.toLowerCase());
      if (canonical === undefined) throw no('USEATTR', `Unsupported special-use attribute ${use.value.slice(0, 20)}`);
      specialUse = canonical as SpecialUse;
    }
    reader.end();
    // RFC 3501 §6.3.3: a trailing delimiter only says the client intends inferiors.
    if (name.endsWith('/')) name = name.replace(/\/+$/u, '');
    validateNewMailboxName(name);
    const index = session.deps.storage.mailIndex;
    // RFC 3501 §6.3.3: superiors needed for the new name are created too.
    const levels = name.split('/');
    for (let depth = 1; depth < levels.length; depth++) {
      const parent = levels.slice(0, depth).join('/');
      if ((await index.getMailbox(session.user!.id, parent)) !== null) continue;
      await index.createMailbox(session.user!.id, parent, { subscribed: false }).catch((error: unknown) => {
        if (!isStorageError(error, 'already-exists')) throw error;
      });
    }
    await index.createMailbox(session.user!.id, name, { specialUse, subscribed: false });
    return { status: 'OK', text: 'CREATE completed' };
  },
};
