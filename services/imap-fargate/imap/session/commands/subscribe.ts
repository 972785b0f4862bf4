// SUBSCRIBE and UNSUBSCRIBE (RFC 3501 §6.3.6-7).
import { ArgumentReader } from '../../protocol/token-readers.js';
import { AUTHENTICATED, type Command, type CommandContext } from '../command.js';

async function setSubscribed({ session, args, verb }: CommandContext, subscribed: boolean) {
  const reader = new ArgumentReader(args, verb);
  const name = reader.mailbox(session.utf8);
  reader.end();
  await session.deps.storage.mailIndex.setSubscribed(session.user!.id, name, subscribed);
  return { status: 'OK' as const, text: `${verb} completed` };
}

export const subscribe: Command = { states: AUTHENTICATED, run: (context) => setSubscribed(context, true) };
export const unsubscribe: Command = { states: AUTHENTICATED, run: (context) => setSubscribed(context, false) };
