// What every verb handler is: the states it may run in and how it runs (STYLE.md: one verb, one file).
import type { StreamedArgument, Token } from '../protocol/command-tokens.js';
import type { TaggedReply } from './replies.js';
import type { ImapSession, SessionState } from './session.js';

export interface CommandContext {
  readonly session: ImapSession;
  readonly tag: string;
  readonly verb: string;
  readonly args: readonly Token[];
  /** True under the UID prefix: sets name UIDs, not sequence numbers (RFC 3501 §6.4.8). */
  readonly byUid: boolean;
  /** APPEND's message literal, still arriving: the handler accepts (`+`) or refuses it (command-framer.ts). */
  readonly streamed: StreamedArgument | null;
  /** Runs another verb of the table under the UID prefix. */
  readonly dispatch: (verb: string, args: readonly Token[]) => Promise<void>;
}

export interface Command {
  readonly states: readonly SessionState[];
  /** FETCH, STORE and SEARCH by sequence number: expunges wait until a later command (RFC 3501 §7.4.1). */
  readonly holdsExpunges?: boolean;
  /** Returns the tagged reply, or null when the handler wrote it itself (LOGOUT, STARTTLS, IDLE). */
  run(context: CommandContext): Promise<TaggedReply | null>;
}

export const ANY: readonly SessionState[] = ['not-authenticated', 'authenticated', 'selected'];
export const NOT_AUTHENTICATED: readonly SessionState[] = ['not-authenticated'];
export const AUTHENTICATED: readonly SessionState[] = ['authenticated', 'selected'];
export const SELECTED: readonly SessionState[] = ['selected'];

