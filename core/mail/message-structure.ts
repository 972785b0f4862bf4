// What the delivery pipeline learns once from parsing a message and stores beside it, so that IMAP
// FETCH never re-parses: the ENVELOPE (RFC 3501 §7.4.2), the MIME tree for BODYSTRUCTURE, and the
// byte offsets of every part in the stored blob (BODY[n] becomes a ranged blob read).

/** One address of an ENVELOPE: raw (undecoded) header text, as IMAP returns it. */
export interface EnvelopeAddress {
  readonly name: string | null;
  readonly adl: null;
  /** null with host null marks a group end; mailbox set with host null marks a group start (RFC 3501 §7.4.2). */
  readonly mailbox: string | null;
  readonly host: string | null;
}

export interface Envelope {
  readonly date: string | null;
  readonly subject: string | null;
  readonly from: readonly EnvelopeAddress[] | null;
  readonly sender: readonly EnvelopeAddress[] | null;
  readonly replyTo: readonly EnvelopeAddress[] | null;
  readonly to: readonly EnvelopeAddress[] | null;
  readonly cc: readonly EnvelopeAddress[] | null;
  readonly bcc: readonly EnvelopeAddress[] | null;
  readonly inReplyTo: string | null;
  readonly messageId: string | null;
}

export interface ContentDisposition {
  readonly type: string;
  readonly params: readonly (readonly [string, string])[];
}

/**
 * One MIME entity. Offsets are absolute byte positions in the stored blob:
 * header = [headerStart, bodyStart), body = [bodyStart, bodyEnd).
 */
export interface MimePart {
  readonly headerStart: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  /** Lower-case media type and subtype, e.g. `text` / `plain`. */
  readonly type: string;
  readonly subtype: string;
  /** Content-Type parameters in header order, names lower-cased (RFC 2231 continuations joined). */
  readonly params: readonly (readonly [string, string])[];
  readonly id: string | null;
  readonly description: string | null;
  /** Content-Transfer-Encoding, lower-case; `7bit` when absent. */
  readonly encoding: string;
  /** Body octets (bodyEnd - bodyStart). */
  readonly sizeBytes: number;
  /** Body lines, for text/* and message/rfc822 parts. */
  readonly lines: number;
  readonly md5: string | null;
  readonly disposition: ContentDisposition | null;
  readonly language: readonly string[] | null;
  readonly location: string | null;
  /** Children of a multipart/*. */
  readonly children?: readonly MimePart[];
  /** The encapsulated message of a message/rfc822 (or message/global) part. */
  readonly message?: { readonly envelope: Envelope; readonly root: MimePart };
}

export interface MessageStructure {
  readonly envelope: Envelope;
  readonly root: MimePart;
}
