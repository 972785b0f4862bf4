// COPY (RFC 3501 §6.4.7) and MOVE (RFC 6851) with COPYUID (RFC 4315 §3). A missing destination
// gets [TRYCREATE] so the client can create it and retry.
import { formatSequenceSet } from '../../protocol/sequence-set.js';
import { ArgumentReader } from '../../protocol/token-readers.js';
import { SELECTED, type Command, type CommandContext } from '../command.js';
import { no } from '../replies.js';

async function transfer({ session, args, byUid, verb }: CommandContext, move: boolean) {
  const view = session.selected!;
  const reader = new ArgumentReader(args, verb);
  const uids = view.resolve(reader.sequenceSet('sequence set'), byUid).filter((uid) => !view.isExpunged(uid));
  const name = reader.mailbox(session.utf8);
  reader.end();
  if (move && view.readOnly) throw no('READ-ONLY', 'Mailbox is open read-only (EXAMINE)');
  const index = session.deps.storage.mailIndex;
  const destination = await index.getMailbox(session.user!.id, name);
  if (destination === null) throw no('TRYCREATE', 'Destination mailbox does not exist');
  if (uids.length === 0) return { status: 'OK' as const, text: `${verb} completed: nothing matched` };
  const moved = move ? await index.moveMessages(view.mailbox.id, uids, destination.id) : null;
  const result = moved ?? (await index.copyMessages(view.mailbox.id, uids, destination.id));
  const copyUid = `COPYUID ${result.uidValidity} ${formatSequenceSet(result.mapping.map((m) => m.sourceUid))} ${formatSequenceSet(result.mapping.map((m) => m.destinationUid))}`;
  if (destination.id === view.mailbox.id) view.markDirty();
  if (!move) return { status: 'OK' as const, code: copyUid, text: 'COPY completed' };
  // RFC 6851 §4.3: COPYUID goes in an untagged OK before the expunges.
  session.io.write(`* OK [${copyUid}] Moved\r\n`);
  for (const line of view.expungedHere(uids, session.enabled.has('QRESYNC'))) session.io.write(line);
  view.markDirty();
  return { status: 'OK' as const, text: 'MOVE completed' };
}

export const copy: Command = { states: SELECTED, run: (context) => transfer(context, false) };
export const move: Command = { states: SELECTED, run: (context) => transfer(context, true) };
