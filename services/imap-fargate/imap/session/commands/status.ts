// STATUS (RFC 3501 §6.3.10): counts of a mailbox without selecting it.
import { ArgumentReader } from '../../protocol/token-readers.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { wireMailboxName } from '../mailbox-names.js';
import { no } from '../replies.js';
import { parseStatusItems, statusValues } from '../status-items.js';

export const status: Command = {
  states: AUTHENTICATED,
  async run({ session, args }) {
    const reader = new ArgumentReader(args, 'STATUS');
    const name = reader.mailbox(session.utf8);
    const items = parseStatusItems(reader.list('status items'));
    reader.end();
    const index = session.deps.storage.mailIndex;
    const mailbox = await index.getMailbox(session.user!.id, name);
    if (mailbox === null) throw no('NONEXISTENT', 'No such mailbox');
    session.io.write(`* STATUS ${wireMailboxName(session, mailbox.name)} ${await statusValues(index, mailbox, items)}\r\n`);
    return { status: 'OK', text: 'STATUS completed' };
  },
};
