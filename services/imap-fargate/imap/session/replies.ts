// The one table mapping failures to IMAP replies (RFC 5530 response codes). Storage errors carry a
// closed set of codes; anything else is a server bug: logged in full, shown as NO [SERVERBUG].
import { isStorageError, type StorageErrorCode } from '../../../../core/ports/index.js';
import { ProtocolSyntaxError } from '../protocol/command-tokens.js';
import { LiteralAbortedError } from '../protocol/incoming-literal.js';
import { InvalidMailboxNameError } from '../protocol/token-readers.js';

export type TaggedStatus = 'OK' | 'NO' | 'BAD';

export interface TaggedReply {
  readonly status: TaggedStatus;
  /** Response code without brackets, e.g. `TRYCREATE` or `APPENDUID 7 12`. */
  readonly code?: string;
  readonly text: string;
}

/** A command failed in a way the client should hear about. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
  constructor(
    readonly status: 'NO' | 'BAD',
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export const no = (code: string | undefined, text: string) => new CommandFailure('NO', code, text);
export const bad = (text: string, code?: string) => new CommandFailure('BAD', code, text);

const STORAGE_REPLIES: Record<StorageErrorCode, TaggedReply> = {
  'not-found': { status: 'NO', code: 'NONEXISTENT', text: 'No such mailbox or message' },
  'already-exists': { status: 'NO', code: 'ALREADYEXISTS', text: 'That mailbox already exists' },
  conflict: { status: 'NO', code: 'INUSE', text: 'Another change got there first; try again' },
  'quota-exceeded': { status: 'NO', code: 'OVERQUOTA', text: 'Mailbox is full: delete some messages and try again' },
  invalid: { status: 'NO', code: 'CANNOT', text: 'The server cannot do that with this name or range' },
  unavailable: { status: 'NO', code: 'UNAVAILABLE', text: 'Storage is temporarily unavailable; try again shortly' },
};

/** Maps a thrown value to the tagged reply; `unexpected` is true when it must be logged as a bug. */
export function replyForError(error: unknown): { reply: TaggedReply; unexpected: boolean } {
  if (error instanceof CommandFailure) return { reply: { status: error.status, code: error.code, text: error.message }, unexpected: false };
  // The client left mid-APPEND: nothing was stored, and nobody is there to read the reply.
  if (error instanceof LiteralAbortedError)
    return { reply: { status: 'NO', text: 'The message did not arrive in full; nothing was stored' }, unexpected: false };
  // RFC 5530 §3 CANNOT: no mailbox can ever have that name on the wire.
  if (error instanceof InvalidMailboxNameError) return { reply: { status: 'NO', code: 'CANNOT', text: error.message }, unexpected: false };
  if (error instanceof ProtocolSyntaxError) return { reply: { status: 'BAD', code: 'CLIENTBUG', text: error.message }, unexpected: false };
  if (isStorageError(error)) {
    return { reply: STORAGE_REPLIES[error.code], unexpected: error.code === 'unavailable' };
  }
  return { reply: { status: 'NO', code: 'SERVERBUG', text: 'Internal error; it has been logged' }, unexpected: true };
}

export function formatTagged(tag: string, reply: TaggedReply): string {
  return `${tag} ${reply.status} ${reply.code === undefined ? '' : `[${reply.code}] `}${reply.text}\r\n`;
}
