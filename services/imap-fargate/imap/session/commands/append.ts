// APPEND (RFC 3501 §6.3.11) and MULTIAPPEND (RFC 3502) with APPENDUID (RFC 4315 §3), UTF8 literals
// (RFC 6855 §4), literal8 (RFC 3516 §4.4) and APPENDLIMIT (RFC 7889). Each message literal is streamed
// as it arrives into the blob store and the MIME structure parser at once: no whole message is held
// in memory. Mailbox, size, count and quota are checked before each `+`, so a refused message is
// never sent. The messages become visible together in one index write after the last one arrived:
// all or none (RFC 3502 §6.3.11); on failure the blobs already written are deleted.
import { createStructureParser } from '../../../../../core/mime/index.js';
import { MAX_APPEND_BATCH_MESSAGES, type NewMessage, type User } from '../../../../../core/ports/index.js';
import { tokenizeAppendTail, type StreamedArgument } from '../../protocol/command-tokens.js';
import type { IncomingLiteral } from '../../protocol/incoming-literal.js';
import { ArgumentReader } from '../../protocol/token-readers.js';
import { parseImapDate } from '../../protocol/imap-strings.js';
import { formatSequenceSet } from '../../protocol/sequence-set.js';
import { AUTHENTICATED, type Command } from '../command.js';
import { parseFlags } from '../flag-list.js';
import type { ImapSession } from '../session.js';
import { bad, no } from '../replies.js';

/** What one message of the command says about itself besides its bytes (RFC 3502 append-opts). */
interface MessageOptions {
  readonly flags: string[];
  readonly internalDate: Date;
}

/** `[flag-list] [date-time]`, then `UTF8 (` when the streamed literal sits in that list (RFC 6855 §4). */
function readMessageOptions(reader: ArgumentReader, streamed: StreamedArgument): MessageOptions {
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
  return { flags, internalDate };
}

async function* feeding(literal: IncomingLiteral, parser: ReturnType<typeof createStructureParser>): AsyncGenerator<Buffer> {
  for await (const chunk of literal) {
    parser.write(chunk);
    yield chunk;
  }
}

/** Invites the literal (`+` when synchronizing) and streams it into a blob; the blob is the caller's to delete. */
async function receiveMessage(session: ImapSession, literal: IncomingLiteral, options: MessageOptions): Promise<NewMessage> {
  literal.accept();
  if (literal.synchronizing) {
    session.io.write('+ Ready for literal data\r\n');
    await session.io.drain();
  }
  const { storage, maxMessageBytes } = session.deps;
  const parser = createStructureParser();
  const blob = await storage.blobs.put(feeding(literal, parser), { prefix: 'msg/', maxBytes: maxMessageBytes });
  const message = { blobKey: blob.key, sizeBytes: blob.sizeBytes, internalDate: options.internalDate, flags: options.flags };
  try {
    return { ...message, structure: parser.end() };
  } catch (error) {
    await storage.blobs.delete(blob.key).catch(() => undefined);
    throw error;
  }
}

/** Limits checked before a message is invited: size (RFC 7889), messages per command, quota. */
async function checkNextMessage(session: ImapSession, user: User, literal: IncomingLiteral, received: readonly NewMessage[]): Promise<void> {
  const { storage, maxMessageBytes } = session.deps;
  if (literal.size > maxMessageBytes) throw no('TOOBIG', `Message larger than the ${maxMessageBytes}-byte limit (APPENDLIMIT)`);
  // RFC 5530 LIMIT: every message of one APPEND commits in one index transaction.
  if (received.length >= MAX_APPEND_BATCH_MESSAGES) throw no('LIMIT', `At most ${MAX_APPEND_BATCH_MESSAGES} messages per APPEND; nothing was appended`);
  if (user.quotaBytes !== null) {
    const usage = await storage.mailIndex.getQuotaUsage(user.id);
    const pendingBytes = received.reduce((sum, message) => sum + message.sizeBytes, 0);
    if (usage.usedBytes + pendingBytes + literal.size > user.quotaBytes) throw no('OVERQUOTA', 'Mailbox is full: delete some messages and try again');
  }
}

export const append: Command = {
  states: AUTHENTICATED,
  async run({ session, args, streamed }) {
    if (streamed === null) throw bad('The message must be sent as a non-empty literal');
    const { storage } = session.deps;
    /** The literal a failure must refuse: the one being received, or the next one announced. */
    let current = streamed.literal;
    const received: NewMessage[] = [];
    try {
      const reader = new ArgumentReader(args, 'APPEND');
      const name = reader.mailbox(session.utf8);
      let options = readMessageOptions(reader, streamed);
      const user = (await storage.directory.getUserById(session.user!.id)) ?? session.user!;
      const mailbox = await storage.mailIndex.getMailbox(user.id, name);
      if (mailbox === null) throw no('TRYCREATE', 'Mailbox does not exist');
      let next: StreamedArgument | null = streamed;
      while (next !== null) {
        await checkNextMessage(session, user, next.literal, received);
        received.push(await receiveMessage(session, next.literal, options));
        const tail = await next.literal.tail();
        if (tail.streamed !== undefined) current = tail.streamed;
        const rest = tokenizeAppendTail(tail, next.unclosedLists);
        if (rest.streamed === null && rest.args.length > 0) throw bad('Unexpected text after the message literal');
        if (rest.streamed !== null) options = readMessageOptions(new ArgumentReader(rest.args, 'APPEND'), rest.streamed);
        next = rest.streamed;
      }
      const quota = { quotaLimitBytes: user.quotaBytes };
      const results =
        received.length === 1 ? [await storage.mailIndex.appendMessage(mailbox.id, received[0]!, quota)] : await storage.mailIndex.appendMessages(mailbox.id, received, quota);
      if (session.selected?.mailbox.id === mailbox.id) session.selected.markDirty();
      // RFC 4315 §3: one UID, or with MULTIAPPEND the set of them.
      const uids = formatSequenceSet(results.map((result) => result.uid));
      return { status: 'OK', code: `APPENDUID ${results[0]!.uidValidity} ${uids}`, text: 'APPEND completed' };
    } catch (error) {
      await Promise.all(received.map((message) => storage.blobs.delete(message.blobKey).catch(() => undefined)));
      // The client's command is over only once the literal and the rest of its line are in (or refused).
      await current.refuse();
      throw error;
    }
  },
};
