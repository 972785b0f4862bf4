// What a session knows and what it depends on. The session itself is sans-IO: the network shell
// (server.ts) hands it bytes and writes back what it returns.
import type { AuthOutcome } from '../../../core/auth/authenticate.js';
import type { EnvelopeRecipient, SmtpClientInfo, SmtpEnvelope, SpfVerdict } from '../../../core/mail/jobs.js';
import type { Logger } from '../../../core/log/logger.js';
import type { User } from '../../../core/ports/directory.js';
import type { MailParams } from '../protocol/commands.js';
import type { BareLineEndingMode } from '../protocol/data-decoder.js';
import type { ListenerKind, MailFacts, RecipientRoute, SmtpPolicy } from '../policy/verdict.js';

export type SessionState =
  | 'new' //   before EHLO/HELO
  | 'idle' //  greeted, no transaction
  | 'mail' //  MAIL accepted, no recipient yet
  | 'rcpt' //  at least one recipient accepted
  | 'bdat'; // inside a BDAT transfer (RFC 3030 §2)

export interface SmtpLimits {
  readonly maxMessageBytes: number;
  /** RFC 5321 §4.5.3.1.8 asks for at least 100. */
  readonly maxRecipients: number;
  /** RFC 5321 §4.5.3.1.4: 512 octets, plus room for ESMTP parameters (RFC 1869 §4.1.2). */
  readonly maxCommandLineBytes: number;
  /** Errors (4xx/5xx) before we hang up on a client that is not speaking SMTP. */
  readonly maxErrors: number;
  readonly bareLineEndings: BareLineEndingMode;
}

export const DEFAULT_SMTP_LIMITS: SmtpLimits = {
  maxMessageBytes: 50 * 1024 * 1024,
  maxRecipients: 100,
  maxCommandLineBytes: 2048,
  maxErrors: 20,
  bareLineEndings: 'normalize',
};

export interface SpoolRequest {
  readonly messageId: string;
  /** Prepended to the stored message. */
  readonly receivedHeader: string;
  readonly envelope: Omit<SmtpEnvelope, 'recipients'>;
  readonly localRecipients: readonly EnvelopeRecipient[];
  readonly remoteRecipients: readonly EnvelopeRecipient[];
  readonly client: SmtpClientInfo;
  readonly spf?: SpfVerdict;
  /** Content octets (without our Received header) above which the spool refuses. */
  readonly maxBytes: number;
}

/** One message being written: content in, then commit (durable blob + jobs) or abort (nothing left). */
export interface SpoolWriter {
  write(chunk: Buffer): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface MessageSpool {
  open(request: SpoolRequest): SpoolWriter;
}

export interface SmtpSessionDeps {
  readonly hostname: string;
  readonly limits: SmtpLimits;
  readonly policy: SmtpPolicy;
  readonly spool: MessageSpool;
  readonly authenticate: (attempt: { readonly clientIp: string; readonly username: string; readonly password: string }) => Promise<AuthOutcome>;
  readonly logger: Logger;
  readonly newMessageId: () => string;
  readonly now: () => Date;
}

export interface ConnectionFacts {
  readonly listener: ListenerKind;
  readonly clientIp: string;
  /** True on the submissions port and after STARTTLS. */
  tls: boolean;
  /** STARTTLS can be offered (a certificate is loaded, and this listener is not implicit TLS). */
  readonly startTlsAvailable: boolean;
}

export interface AcceptedRecipient extends EnvelopeRecipient {
  readonly route: RecipientRoute;
}

export interface Transaction {
  readonly sender: string;
  readonly params: MailParams;
  readonly facts: MailFacts;
  readonly recipients: AcceptedRecipient[];
}

/** The mutable session record the command handlers read and update; typed, no free-form notes. */
export interface SessionData {
  readonly deps: SmtpSessionDeps;
  readonly connection: ConnectionFacts;
  readonly log: Logger;
  state: SessionState;
  helo: string;
  esmtp: boolean;
  user: User | null;
  transaction: Transaction | null;
}
