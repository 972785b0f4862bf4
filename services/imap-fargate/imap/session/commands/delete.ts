// DELETE (RFC 3501 §6.3.4): the mailbox and its messages go; the index records blobs no longer
// referenced, and the storage housekeeper deletes them after its grace period.
// A mailbox with inferiors is deleted (its children stay), as RFC 9051 §6.3.5 allows.
import { ArgumentReader } from '../../protocol/token-readers.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { no } from '../replies.js';

export const deleteMailbox: Command = {
  states: AUTHENTICATED,
  async run({ session, args }) {
    const reader = new ArgumentReader(args, 'DELETE');
    const name = reader.mailbox(session.utf8);
    reader.end();
    if (name === 'INBOX') throw no('CANNOT', 'INBOX cannot be deleted');
    if (session.selected?.mailbox.name === name) session.setSelected(null);
    await session.deps.storage.mailIndex.deleteMailbox(session.user!.id, name);
    return { status: 'OK', text: 'DELETE completed' };
  },
};
