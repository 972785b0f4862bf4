// APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3), UTF8 literals (RFC 6855 §4), literal8
// (RFC 3516 §4.4) and APPENDLIMIT (RFC 7889). The message literal is streamed as it arrives into the
// blob store and the MIME structure parser at once, then indexed: no whole message is held in memory.
// Mailbox, size and quota are checked before the `+` continuation, so a refused message is never sent.
import { createStructureParser } from '../../../../../core/mime/index.js';
import type { FramedCommand } from '../../protocol/command-framer.js';
import type { StreamedArgument, Token } from '../../protocol/command-tokens.js';
import type { IncomingLiteral } from '../../protocol/incoming-literal.js';
import { ArgumentReader } from '../../protocol/token-readers.js';
import { parseImapDate } from '../../protocol/imap-strings.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { parseFlags } from '../flag-list.js';
import { bad, no } from '../replies.js';

interface AppendArguments {
  readonly name: string;
  readonly flags: string[];
  readonly internalDate: Date;
}

/** Mailbox, flags and date-time; `UTF8 (` opens the list the streamed literal sits in (RFC 6855 §4). */
function readArguments(args: readonly Token[], streamed: StreamedArgument, utf8: boolean): AppendArguments {
  const reader = new ArgumentReader(args, 'APPEND');
  const name = reader.mailbox(utf8);
  const flags = reader.peek()?.kind === 'list' ? parseFlags(reader.list('flags')) : [];
  let internalDate = new Date();
  const maybeDate = reader.peek();
  if (maybeDate?.kind === 'string' && !maybeDate.literal) {
    const parsed = parseImapDate(reader.astring('date-time'));
    if (parsed === null) throw bad('Malformed date-time, expected "17-Jul-1996 02:44:25 -0700"');
    internalDate = parsed;
  }
  const wrapper = reader.peek();
  if (wrapper?.kind === 'atom' && wrapper.value.toUpperCase() === 'UTF8') {
    reader.next('UTF8');
    if (reader.list('UTF8 message').length !== 0 || streamed.unclosedLists !== 1) throw bad('UTF8 takes one literal');
  } else if (streamed.unclosedLists !== 0) {
    throw bad('The message literal must not be inside a list');
  }
  reader.end();
  return { name, flags, internalDate };
}

/** The rest of the command after the literal: nothing but the `)` of `UTF8 (` (MULTIAPPEND is not offered). */
function checkTail(tail: FramedCommand, unclosedLists: number): void {
  const text = tail.lines.map((line) => line.toString('latin1')).join('');
  if (tail.literals.length > 0 || text !== ')'.repeat(unclosedLists)) throw bad('Unexpected text after the message literal (one message per APPEND)');
}

async function* feeding(literal: IncomingLiteral, parser: ReturnType<typeof createStructureParser>): AsyncGenerator<Buffer> {
  for await (const chunk of literal) {
    parser.write(chunk);
    yield chunk;
  }
}

export const append: Command = {
  states: AUTHENTICATED,
  async run({ session, args, streamed }) {
    if (streamed === null) throw bad('The message must be sent as a non-empty literal');
    const literal = streamed.literal;
    try {
      const { name, flags, internalDate } = readArguments(args, streamed, session.utf8);
      const { storage, maxMessageBytes } = session.deps;
      if (literal.size > maxMessageBytes) throw no('TOOBIG', `Message larger than the ${maxMessageBytes}-byte limit (APPENDLIMIT)`);
      const user = (await storage.directory.getUserById(session.user!.id)) ?? session.user!;
      const mailbox = await storage.mailIndex.getMailbox(user.id, name);
      if (mailbox === null) throw no('TRYCREATE', 'Mailbox does not exist');
      if (user.quotaBytes !== null) {
        const usage = await storage.mailIndex.getQuotaUsage(user.id);
        if (usage.usedBytes + literal.size > user.quotaBytes) throw no('OVERQUOTA', 'Mailbox is full: delete some messages and try again');
      }
      literal.accept();
      if (literal.synchronizing) {
        session.io.write('+ Ready for literal data\r\n');
        await session.io.drain();
      }
      const parser = createStructureParser();
      const blob = await storage.blobs.put(feeding(literal, parser), { prefix: 'msg/', maxBytes: maxMessageBytes });
      try {
        checkTail(await literal.tail(), streamed.unclosedLists);
        const result = await storage.mailIndex.appendMessage(
          mailbox.id,
          { blobKey: blob.key, sizeBytes: blob.sizeBytes, internalDate, flags, structure: parser.end() },
          { quotaLimitBytes: user.quotaBytes },
        );
        if (session.selected?.mailbox.id === mailbox.id) session.selected.markDirty();
        return { status: 'OK', code: `APPENDUID ${result.uidValidity} ${result.uid}`, text: 'APPEND completed' };
      } catch (error) {
        await storage.blobs.delete(blob.key).catch(() => undefined);
        throw error;
      }
    } catch (error) {
      // The client's command is over only once the literal and the rest of its line are in (or refused).
      await literal.refuse();
      throw error;
    }
  },
};
