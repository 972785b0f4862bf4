// The structure of a message we could not parse as MIME: one text/plain entity over the whole body
// (RFC 2045 §5.2 default), so that malformed mail is still delivered and readable raw, never lost.
import type { Envelope, MessageStructure } from '../mail/message-structure.js';
import { opaqueText } from '../mime/index.js';
import { firstRawHeader, type HeaderField } from './header-fields.js';

/** Finds the end of the header section (the first empty line) and counts body lines, chunk by chunk. */
export class RawMessageScanner {
  private sizeBytes = 0;
  private bodyStart: number | null = null;
  private bodyLines = 0;
  /** The last two bytes before the current chunk, to see `\n\r\n` and `\n\n` across chunk edges. */
  private beforeLast = 0;
  private last = 0;

  write(chunk: Uint8Array): void {
    // Only line feeds matter: find them with the native search rather than looking at every byte.
    for (let index = chunk.indexOf(0x0a); index !== -1; index = chunk.indexOf(0x0a, index + 1)) {
      if (this.bodyStart !== null) {
        this.bodyLines++;
        continue;
      }
      const b = index >= 1 ? chunk[index - 1]! : this.last;
      const a = index >= 2 ? chunk[index - 2]! : index === 1 ? this.last : this.beforeLast;
      // RFC 5322 §2.1: the header ends at the first empty line (CRLF CRLF; bare LF tolerated).
      if (b === 0x0a || (b === 0x0d && a === 0x0a)) this.bodyStart = this.sizeBytes + index + 1;
    }
    if (chunk.length >= 2) this.beforeLast = chunk[chunk.length - 2]!;
    else if (chunk.length === 1) this.beforeLast = this.last;
    if (chunk.length >= 1) this.last = chunk[chunk.length - 1]!;
    this.sizeBytes += chunk.length;
  }

  structure(headers: readonly HeaderField[]): MessageStructure {
    const bodyStart = this.bodyStart ?? this.sizeBytes;
    return {
      envelope: rawEnvelope(headers),
      root: { ...opaqueText(bodyStart, this.sizeBytes, this.bodyLines), headerStart: 0 },
    };
  }
}

/** An ENVELOPE from the plain fields only: addresses stay null when the message is this broken. */
function rawEnvelope(headers: readonly HeaderField[]): Envelope {
  return {
    date: firstRawHeader(headers, 'date'),
    subject: firstRawHeader(headers, 'subject'),
    from: null,
    sender: null,
    replyTo: null,
    to: null,
    cc: null,
    bcc: null,
    inReplyTo: firstRawHeader(headers, 'in-reply-to'),
    messageId: firstRawHeader(headers, 'message-id'),
  };
}
