// The shape of a verb handler and what it can ask the session to do next.
import type { CommandOf, SmtpVerb } from '../protocol/commands.js';
import type { SmtpReply } from '../protocol/reply.js';
import type { SessionData, SessionState } from './types.js';

export type CommandOutcome =
  | { readonly reply: SmtpReply; readonly next?: 'close' | 'starttls' | 'data' }
  /** A SASL exchange (RFC 4954 §4): the next line goes to `continuation`, not to the parser. */
  | { readonly reply: SmtpReply; readonly next: 'auth-continue'; readonly continuation: (line: string) => Promise<CommandOutcome> }
  /** Read `chunkBytes` raw octets (RFC 3030 §2); when `rejection` is set they are read and dropped. */
  | { readonly reply: null; readonly next: 'bdat'; readonly chunkBytes: number; readonly last: boolean; readonly rejection?: SmtpReply };

export interface CommandHandler<V extends SmtpVerb> {
  /** States in which the verb is valid; elsewhere the session answers 503 5.5.1 (RFC 5321 §4.1.4). */
  readonly allowedIn: readonly SessionState[];
  run(command: CommandOf<V>, session: SessionData): Promise<CommandOutcome>;
}

export type CommandTable = { readonly [V in SmtpVerb]: CommandHandler<V> };

export const ANY_STATE: readonly SessionState[] = ['new', 'idle', 'mail', 'rcpt', 'bdat'];

/** Ends the mail transaction (RFC 5321 §4.1.1.5 RSET, §4.1.4 EHLO, and after each message). */
export function resetTransaction(session: SessionData): void {
  session.transaction = null;
  session.state = session.helo === '' ? 'new' : 'idle';
}
