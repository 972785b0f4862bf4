// IDLE (RFC 2177): updates are pushed as the change feed reports them until the client sends DONE.
// Keepalives within the load balancer's idle timeout come from server.ts.
import { AUTHENTICATED, type Command } from '../command.js';
import { bad } from '../replies.js';

export const idle: Command = {
  states: AUTHENTICATED,
  async run({ session, tag, args }) {
    if (args.length > 0) throw bad('IDLE takes no arguments');
    session.io.write('+ idling\r\n');
    session.idling = true;
    session.pending = {
      tag,
      onLine: async (line) => {
        session.idling = false;
        if (line.trim().toUpperCase() !== 'DONE') return { status: 'BAD', code: 'CLIENTBUG', text: 'Expected DONE to end IDLE' };
        return { status: 'OK', text: 'IDLE terminated' };
      },
    };
    session.selected?.markDirty();
    await session.pushIdleUpdates();
    return null;
  },
};
