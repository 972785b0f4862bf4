// CLOSE (RFC 3501 §6.4.2: silently expunges \Deleted when read-write) and UNSELECT (RFC 3691: does not).
import { SELECTED, type Command, type CommandContext } from '../command.js';
import { bad } from '../replies.js';

async function leave({ session, args, verb }: CommandContext, expunge: boolean) {
  if (args.length > 0) throw bad(`${verb} takes no arguments`);
  const view = session.selected!;
  if (expunge && !view.readOnly) await session.deps.storage.mailIndex.expunge(view.mailbox.id);
  session.setSelected(null);
  return { status: 'OK' as const, text: `${verb} completed` };
}

export const close: Command = { states: SELECTED, run: (context) => leave(context, true) };
export const unselect: Command = { states: SELECTED, run: (context) => leave(context, false) };
