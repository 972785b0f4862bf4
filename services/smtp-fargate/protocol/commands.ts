// Typed SMTP commands: what a command line means once parsed (RFC 5321 §4.1.1 and the extensions
// we speak). A discriminated union on `verb`, so each verb's handler sees only its own fields.

export type BodyType = '7BIT' | '8BITMIME' | 'BINARYMIME';
export type DsnNotify = 'NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY';

export interface MailParams {
  /** RFC 1870 SIZE: the client's estimate of the message size in octets. */
  readonly sizeBytes?: number;
  /** RFC 6152 / RFC 3030 BODY. */
  readonly body?: BodyType;
  /** RFC 6531 SMTPUTF8. */
  readonly smtpUtf8: boolean;
  /** RFC 3461 §4.3 RET. */
  readonly dsnReturn?: 'FULL' | 'HDRS';
  /** RFC 3461 §4.4 ENVID, xtext-decoded. */
  readonly dsnEnvelopeId?: string;
  /** RFC 8689 §3 REQUIRETLS: every hop must relay this message over validated TLS. */
  readonly requireTls: boolean;
}

export interface RcptParams {
  /** RFC 3461 §4.1 NOTIFY. */
  readonly notify?: readonly DsnNotify[];
  /** RFC 3461 §4.2 ORCPT as `addr-type;address`, xtext-decoded. */
  readonly orcpt?: string;
}

/** A path as written between angle brackets, source route dropped (RFC 5321 §4.1.2, §C). */
export interface MailPath {
  /** `local@domain` as sent ('' for the null reverse-path `<>`). */
  readonly address: string;
  /** True when the address contains non-ASCII octets (needs SMTPUTF8, RFC 6531 §3.3). */
  readonly hasNonAscii: boolean;
}

export type SmtpCommand =
  | { readonly verb: 'EHLO'; readonly domain: string }
  | { readonly verb: 'HELO'; readonly domain: string }
  | { readonly verb: 'MAIL'; readonly path: MailPath; readonly params: MailParams }
  | { readonly verb: 'RCPT'; readonly path: MailPath; readonly params: RcptParams }
  | { readonly verb: 'DATA' }
  | { readonly verb: 'BDAT'; readonly chunkBytes: number; readonly last: boolean }
  | { readonly verb: 'RSET' }
  | { readonly verb: 'NOOP' }
  | { readonly verb: 'QUIT' }
  | { readonly verb: 'VRFY'; readonly argument: string }
  | { readonly verb: 'HELP'; readonly topic: string }
  | { readonly verb: 'STARTTLS' }
  | { readonly verb: 'AUTH'; readonly mechanism: string; readonly initialResponse: string | null };

export type SmtpVerb = SmtpCommand['verb'];
export type CommandOf<V extends SmtpVerb> = Extract<SmtpCommand, { readonly verb: V }>;

/** Why a command line could not be parsed; mapped to replies in session/replies.ts. */
export type CommandParseErrorCode =
  | 'unrecognized' //        500 5.5.1: no such verb
  | 'syntax' //              501 5.5.4: arguments malformed
  | 'bad-sender-syntax' //   501 5.1.7
  | 'bad-recipient-syntax' //501 5.1.3
  | 'unknown-parameter'; //  555 5.5.4: MAIL/RCPT parameter we do not support

export type CommandParseResult =
  | { readonly ok: true; readonly command: SmtpCommand }
  | { readonly ok: false; readonly error: CommandParseErrorCode; readonly detail: string };
