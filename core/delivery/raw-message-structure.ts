// The structure of a message we could not parse as MIME: one text/plain entity over the whole body
// (RFC 2045 §5.2 default), so that malformed mail is still delivered and readable raw, never lost.
import type { Envelope, MessageStructure } from '../mail/message-structure.js';
import { firstRawHeader, type HeaderField } from './header-fields.js';

/** Finds the end of the header section (the first empty line) and counts body lines, chunk by chunk. */
export class RawMessageScanner {
  private sizeBytes = 0;
  private bodyStart: number | null = null;
  private bodyLines = 0;
  /** The previous bytes, to see `\n\r\n` and `\n\n` across chunk edges. */
  private previous: number[] = [];

  write(chunk: Uint8Array): void {
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index]!;
      if (byte === 0x0a) {
        if (this.bodyStart === null) {
          const [a, b] = this.previous.slice(-2);
          // RFC 5322 §2.1: the header ends at the first empty line (CRLF CRLF; bare LF tolerated).
          if (b === 0x0a || (b === 0x0d && a === 0x0a)) this.bodyStart = this.sizeBytes + index + 1;
        } else {
          this.bodyLines++;
        }
      }
      this.previous = [this.previous[this.previous.length - 1] ?? 0, byte];
    }
    this.sizeBytes += chunk.length;
  }

  structure(headers: readonly HeaderField[]): MessageStructure {
    const bodyStart = this.bodyStart ?? this.sizeBytes;
    return {
      envelope: rawEnvelope(headers),
      root: {
        headerStart: 0,
        bodyStart,
        bodyEnd: this.sizeBytes,
        type: 'text',
        subtype: 'plain',
        params: [['charset', 'us-ascii']],
        id: null,
        description: null,
        encoding: '7bit',
        sizeBytes: this.sizeBytes - bodyStart,
        lines: this.bodyLines,
        md5: null,
        disposition: null,
        language: null,
        location: null,
      },
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
