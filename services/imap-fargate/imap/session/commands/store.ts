// STORE (RFC 3501 §6.4.6) with UNCHANGEDSINCE and the MODIFIED response code (RFC 7162 §3.1.3).
import { ArgumentReader } from '../../protocol/token-readers.js';
import { formatSequenceSet } from '../../protocol/sequence-set.js';
import { SELECTED, type Command } from '../command.js';
import { parseFlags } from '../flag-list.js';
import { bad, no } from '../replies.js';
import type { FlagOperation } from '../../../../../core/ports/index.js';

const OPERATIONS: Record<string, FlagOperation> = { FLAGS: 'replace', '+FLAGS': 'add', '-FLAGS': 'remove' };

export const store: Command = {
  states: SELECTED,
  holdsExpunges: true,
  async run({ session, args, byUid }) {
    const view = session.selected!;
    const reader = new ArgumentReader(args, 'STORE');
    const uids = view.resolve(reader.sequenceSet('sequence set'), byUid);
    let unchangedSince: number | undefined;
    if (reader.peek()?.kind === 'list') {
      const modifiers = new ArgumentReader(reader.list('store modifiers'), 'STORE');
      if (modifiers.atom('UNCHANGEDSINCE').toUpperCase() !== 'UNCHANGEDSINCE') throw bad('Unknown STORE modifier');
      unchangedSince = modifiers.number('mod-sequence');
      modifiers.end();
      session.enabled.add('CONDSTORE');
    }
    const action = reader.atom('+FLAGS, -FLAGS or FLAGS').toUpperCase();
    const silent = action.endsWith('.SILENT');
    const operation = OPERATIONS[silent ? action.slice(0, -7) : action];
    if (operation === undefined) throw bad('Expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT)');
    const flags = parseFlags(reader.peek()?.kind === 'list' ? reader.list('flags') : reader.rest());
    reader.end();
    if (view.readOnly) throw no('READ-ONLY', 'Mailbox is open read-only (EXAMINE)');
    const live = uids.filter((uid) => !view.isExpunged(uid));
    const result = await session.deps.storage.mailIndex.updateFlags(view.mailbox.id, { uids: live, operation, flags, unchangedSince });
    for (const message of result.updated) {
      view.noteReported(message.uid, message.modseq);
      // RFC 7162 §3.1.3: with UNCHANGEDSINCE, changed messages are reported even under .SILENT.
      if (silent && unchangedSince === undefined) continue;
      const parts = [`FLAGS ${session.flagList(message.uid, message.flags)}`];
      if (byUid) parts.push(`UID ${message.uid}`);
      if (session.condstore) parts.push(`MODSEQ (${message.modseq})`);
      session.io.write(`* ${view.sequenceOf(message.uid)} FETCH (${parts.join(' ')})\r\n`);
    }
    view.markDirty();
    if (result.modified.length > 0) {
      const ids = byUid ? result.modified : result.modified.map((uid) => view.sequenceOf(uid)).sort((a, b) => a - b);
      return { status: 'OK', code: `MODIFIED ${formatSequenceSet(ids)}`, text: 'Some messages changed since UNCHANGEDSINCE' };
    }
    return { status: 'OK', text: 'STORE completed' };
  },
};
