// ID (RFC 2971): logs what the client says it is (bounded), answers with our name.
import { imapString } from '../../protocol/imap-strings.js';
import { ANY, type Command } from '../command.js';

export const id: Command = {
  states: ANY,
  async run({ session, args }) {
    const list = args[0];
    if (list?.kind === 'list') {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < list.items.length && i < 60; i += 2) {
        const [key, value] = [list.items[i], list.items[i + 1]];
        if (key?.kind !== 'list' && value !== undefined && value.kind !== 'list') fields[key!.value.slice(0, 30)] = value.value.slice(0, 100);
      }
      session.log.info('client id', { id: fields });
    }
    const opts = { utf8: false };
    session.io.write(`* ID (${['name', 'Yubin', 'vendor', 'Yubin', 'support-url', 'https://github.com/yubin-mail'].map((s) => imapString(s, opts)).join(' ')})\r\n`);
    return { status: 'OK', text: 'ID completed' };
  },
};
