// What the importer reads from mbox files, Maildirs and IMAP servers: messages with the folder they
// live in, their flags and internal date. One message is held in memory at a time (bounded by the
// platform's maxMessageBytes), never a whole folder.
import type { SpecialUse } from '../../ports/index.js';

export interface ImportMessage {
  /** UTF-8 folder name with `/` as the hierarchy delimiter; `INBOX` for the inbox. */
  readonly folder: string;
  /** The source's RFC 6154 role of the folder, so `Sent Items` lands in our `Sent`. */
  readonly specialUse: SpecialUse | null;
  readonly flags: readonly string[];
  readonly internalDate: Date;
  /** The message with CRLF line ends (RFC 5322 §2.1). */
  readonly bytes: Buffer;
}

export interface ImportEstimate {
  readonly messages: number;
  /** null when the source cannot tell without reading everything. */
  readonly bytes: number | null;
}

export interface ImportSource {
  /** For the report: `mbox /path/file`, `imaps://user@host`. */
  readonly description: string;
  estimate(): Promise<ImportEstimate>;
  messages(): AsyncIterable<ImportMessage>;
  close(): Promise<void>;
}

/** LF or CRLF line ends → CRLF, without touching a CR that is not before an LF. */
export function toCrlf(bytes: Buffer): Buffer {
  let bareLf = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) bareLf++;
  if (bareLf === 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + bareLf);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) out[o++] = 0x0d;
    out[o++] = bytes[i]!;
  }
  return out;
}

const SPECIAL_USES: readonly SpecialUse[] = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged'];

export function asSpecialUse(value: string | undefined | null): SpecialUse | null {
  return SPECIAL_USES.find((use) => use.toLowerCase() === value?.toLowerCase()) ?? null;
}
