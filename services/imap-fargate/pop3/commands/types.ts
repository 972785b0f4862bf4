// What a command handler sees of its session, and the shape of the command table
// (STYLE.md habit 2: one verb, one file, registered with the states that allow it).
import type { AuthThrottle } from '../../../../core/auth/auth-throttle.js';
import type { Logger } from '../../../../core/log/logger.js';
import type { Storage } from '../../../../core/ports/index.js';
import type { Maildrop } from '../maildrop.js';
import type { MaildropSessions } from '../maildrop-sessions.js';
import type { Pop3Command, Pop3Verb } from '../protocol/commands.js';

/** RFC 1939 §3: AUTHORIZATION → TRANSACTION → UPDATE (entered only by QUIT). */
export type Pop3State = 'authorization' | 'transaction' | 'update';

export type Pop3Reply =
  /** Complete response lines, CRLF included. */
  | { readonly kind: 'lines'; readonly text: string }
  /** A +OK line followed by an encoded message body that ends in ".\r\n" (RETR, TOP). */
  | {
      readonly kind: 'message';
      readonly head: string;
      readonly body: AsyncIterable<Buffer>;
      /** Releases the blob stream when the body cannot be sent (connection gone). */
      readonly abort: () => void;
    };

export interface Pop3Step {
  readonly reply: Pop3Reply;
  /** What the network shell does after sending the reply. */
  readonly then: 'continue' | 'start-tls' | 'close';
}

/** The ports POP3 uses; `mailIndex` should publish its changes (withChangeNotifications) so IMAP IDLE wakes. */
export type Pop3Storage = Pick<Storage, 'directory' | 'mailIndex' | 'blobs' | 'attempts'>;

/** Per-connection facts and shared services, supplied by the network shell. */
export interface Pop3SessionEnvironment {
  readonly storage: Pop3Storage;
  readonly throttle: AuthThrottle;
  readonly maildropSessions: MaildropSessions;
  readonly logger: Logger;
  readonly hostname: string;
  readonly clientIp: string;
  /** Implicit TLS (port 995): the connection is encrypted from the first byte. */
  readonly implicitTls: boolean;
  /** The plaintext port can upgrade with STLS. */
  readonly stlsAvailable: boolean;
}

export interface Pop3Context {
  readonly environment: Pop3SessionEnvironment;
  readonly logger: Logger;
  readonly state: Pop3State;
  readonly secure: boolean;
  /** The name given by USER, waiting for PASS (RFC 1939 §7). */
  pendingUser: string | null;
  /** Set in the TRANSACTION state. */
  readonly maildrop: Maildrop | null;
  /** Checks credentials, opens the maildrop and enters TRANSACTION; the reply says how it went. */
  login(username: string, password: string): Promise<Pop3Step>;
  /** The next client line is a SASL response for this handler, not a command (RFC 5034 §4). */
  awaitSaslResponse(handler: (line: string) => Promise<Pop3Step>): void;
  /** Runs the UPDATE state: commits deletions and ends the session. */
  update(): Promise<Pop3Step>;
}

export interface Pop3CommandHandler<V extends Pop3Verb> {
  readonly allowedStates: readonly Pop3State[];
  run(context: Pop3Context, command: Extract<Pop3Command, { verb: V }>): Promise<Pop3Step> | Pop3Step;
}

export type Pop3CommandTable = { readonly [V in Pop3Verb]: Pop3CommandHandler<V> };

export function lines(text: string, then: Pop3Step['then'] = 'continue'): Pop3Step {
  return { reply: { kind: 'lines', text }, then };
}
