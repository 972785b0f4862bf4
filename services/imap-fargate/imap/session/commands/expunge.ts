// EXPUNGE (RFC 3501 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1): removes \Deleted messages and reports
// them as EXPUNGE (or VANISHED after ENABLE QRESYNC, RFC 7162 §3.2.10).
import { ArgumentReader } from '../../protocol/token-readers.js';
import { SELECTED, type Command } from '../command.js';
import { no } from '../replies.js';

export const expunge: Command = {
  states: SELECTED,
  async run({ session, args, byUid }) {
    const view = session.selected!;
    const reader = new ArgumentReader(args, byUid ? 'UID EXPUNGE' : 'EXPUNGE');
    const uids = byUid ? view.resolve(reader.sequenceSet('UID set'), true) : undefined;
    reader.end();
    if (view.readOnly) throw no('READ-ONLY', 'Mailbox is open read-only (EXAMINE)');
    if (uids !== undefined && uids.length === 0) return { status: 'OK', text: 'Nothing to expunge' };
    const result = await session.deps.storage.mailIndex.expunge(view.mailbox.id, uids);
    for (const line of view.expungedHere(result.expunged.map((m) => m.uid), session.enabled.has('QRESYNC'))) session.io.write(line);
    view.markDirty();
    const code = session.condstore ? `HIGHESTMODSEQ ${result.highestModseq}` : undefined;
    return { status: 'OK', code, text: 'EXPUNGE completed' };
  },
};
