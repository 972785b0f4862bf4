// APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3) and UTF8 literals (RFC 6855 §4): the
// message is written to the blob store, parsed once into its cached structure, then indexed.
import { parseMessageStructure } from '../../../../../core/mime/index.js';
import { ArgumentReader } from '../../protocol/token-readers.js';
import { parseImapDate } from '../../protocol/imap-strings.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { parseFlags } from '../flag-list.js';
import { bad, no } from '../replies.js';

async function* chunksOf(message: Buffer): AsyncGenerator<Uint8Array> {
  const step = 64 * 1024;
  for (let i = 0; i < message.length; i += step) yield message.subarray(i, i + step);
}

export const append: Command = {
  states: AUTHENTICATED,
  async run({ session, args }) {
    const reader = new ArgumentReader(args, 'APPEND');
    const name = reader.mailbox(session.utf8);
    const flags = reader.peek()?.kind === 'list' ? parseFlags(reader.list('flags')) : [];
    let internalDate = new Date();
    const maybeDate = reader.peek();
    if (maybeDate?.kind === 'string' && !maybeDate.literal) {
      const parsed = parseImapDate(reader.astring('date-time'));
      if (parsed === null) throw bad('Malformed date-time, expected "17-Jul-1996 02:44:25 -0700"');
      internalDate = parsed;
    }
    let messageToken = reader.next('message literal');
    // RFC 6855 §4: `UTF8 (~{n}...)` carries a message with UTF-8 headers.
    if (messageToken.kind === 'atom' && messageToken.value.toUpperCase() === 'UTF8') {
      const inner = reader.list('UTF8 message');
      if (inner.length !== 1 || inner[0] === undefined) throw bad('UTF8 takes one literal');
      messageToken = inner[0];
    }
    reader.end();
    if (messageToken.kind !== 'string' || !messageToken.literal) throw bad('The message must be sent as a literal');
    const message = messageToken.bytes;
    if (message.length === 0) throw no('CANNOT', 'Empty message');
    const { storage, maxMessageBytes } = session.deps;
    const user = (await storage.directory.getUserById(session.user!.id)) ?? session.user!;
    const mailbox = await storage.mailIndex.getMailbox(user.id, name);
    if (mailbox === null) throw no('TRYCREATE', 'Mailbox does not exist');
    const blob = await storage.blobs.put(chunksOf(message), { prefix: 'msg/', maxBytes: maxMessageBytes });
    try {
      const structure = await parseMessageStructure(chunksOf(message));
      const result = await storage.mailIndex.appendMessage(
        mailbox.id,
        { blobKey: blob.key, sizeBytes: blob.sizeBytes, internalDate, flags, structure },
        { quotaLimitBytes: user.quotaBytes },
      );
      if (session.selected?.mailbox.id === mailbox.id) session.selected.markDirty();
      return { status: 'OK', code: `APPENDUID ${result.uidValidity} ${result.uid}`, text: 'APPEND completed' };
    } catch (error) {
      await storage.blobs.delete(blob.key).catch(() => undefined);
      throw error;
    }
  },
};
