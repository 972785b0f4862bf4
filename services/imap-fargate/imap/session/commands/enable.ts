// ENABLE (RFC 5161) for CONDSTORE, QRESYNC (which implies CONDSTORE, RFC 7162 §3.2.3), UTF8=ACCEPT and IMAP4rev2.
import { AUTHENTICATED, type Command } from '../command.js';
import { bad } from '../replies.js';
import type { Extension } from '../session.js';

const ENABLEABLE = new Set<string>(['CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT', 'IMAP4REV2']);

export const enable: Command = {
  states: AUTHENTICATED,
  async run({ session, args }) {
    if (args.length === 0) throw bad('ENABLE needs at least one capability');
    const newly: string[] = [];
    for (const arg of args) {
      if (arg.kind !== 'atom') throw bad('ENABLE takes capability names');
      const name = arg.value.toUpperCase();
      if (!ENABLEABLE.has(name) || session.enabled.has(name as Extension)) continue;
      session.enabled.add(name as Extension);
      newly.push(name === 'IMAP4REV2' ? 'IMAP4rev2' : name);
      if (name === 'QRESYNC') session.enabled.add('CONDSTORE');
    }
    session.io.write(`* ENABLED${newly.map((n) => ' ' + n).join('')}\r\n`);
    return { status: 'OK', text: 'Enabled' };
  },
};
