// Stored RFC 5322 bytes → the body of a POP3 multi-line response (RFC 1939 §3): every line ends in
// CRLF (a bare LF becomes CRLF), a line starting with "." gets one more ".", and ".\r\n" ends it.
// TOP (RFC 1939 §7) stops after the header, the blank line and n body lines. Streaming: one chunk in,
// at most one chunk out; the common case (CRLF text, no leading dot) passes the input through uncopied.

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const DOT_BYTES = Buffer.from('.');
const CR_BYTES = Buffer.from('\r');
const CRLF_BYTES = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('.\r\n');
const CRLF_TERMINATOR = Buffer.from('\r\n.\r\n');

export interface MessageEncoderOptions {
  /** TOP: body lines to send after the header; null (RETR) sends the whole message. */
  readonly bodyLineLimit: number | null;
}

export class MessageEncoder {
  private previousByte = LF; // the message starts at the beginning of a line
  private lineBytes = 0; //     bytes of the current line so far, CR included
  private inBody = false;
  private bodyLinesSent = 0;
  private stuffedDots = 0;
  private outputBytes = 0;
  private finished = false;

  constructor(private readonly options: MessageEncoderOptions) {}

  /** True once TOP has everything it needs: the caller may stop reading the source. */
  get complete(): boolean {
    return this.finished;
  }

  /**
   * Message octets sent so far in CRLF form, without dot-stuffing or terminator: the figure RFC 1939
   * LIST reports.
   */
  get messageBytes(): number {
    return this.outputBytes - this.stuffedDots;
  }

  push(chunk: Uint8Array): Buffer {
    const input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.finished || input.length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    let runStart = 0;
    let position = 0;
    while (position < input.length) {
      if (this.previousByte === LF && input[position] === DOT) {
        parts.push(input.subarray(runStart, position), DOT_BYTES);
        runStart = position;
        this.stuffedDots += 1;
      }
      const lf = input.indexOf(LF, position);
      if (lf === -1) {
        this.lineBytes += input.length - position;
        this.previousByte = input[input.length - 1] ?? this.previousByte;
        position = input.length;
        break;
      }
      const byteBeforeLf = lf > position ? input[lf - 1] : this.previousByte;
      const lineBytes = this.lineBytes + (lf - position);
      if (byteBeforeLf !== CR) {
        parts.push(input.subarray(runStart, lf), CR_BYTES);
        runStart = lf;
      }
      this.previousByte = LF;
      this.lineBytes = 0;
      position = lf + 1;
      if (this.lineEndsMessage(lineBytes === 0 || (lineBytes === 1 && byteBeforeLf === CR))) {
        this.finished = true;
        break;
      }
    }
    parts.push(input.subarray(runStart, position));
    const output = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    this.outputBytes += output.length;
    return output;
  }

  /** The end of the response: a CRLF when the message lacks a final line break, then ".\r\n". */
  finish(): Buffer {
    this.finished = true;
    if (this.previousByte === LF) return TERMINATOR;
    this.outputBytes += CRLF_BYTES.length;
    this.previousByte = LF;
    return CRLF_TERMINATOR;
  }

  /** Counts header and body lines for TOP; true when the line just ended is the last one to send. */
  private lineEndsMessage(lineWasEmpty: boolean): boolean {
    const limit = this.options.bodyLineLimit;
    if (limit === null) return false;
    if (!this.inBody) {
      if (!lineWasEmpty) return false;
      this.inBody = true; // RFC 5322 §2.1: the first empty line ends the header section
      return limit === 0;
    }
    this.bodyLinesSent += 1;
    return this.bodyLinesSent >= limit;
  }
}

/** Streams `source` through a MessageEncoder, stopping the read early once TOP is complete. */
export async function* encodeMessage(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, encoder: MessageEncoder): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const output = encoder.push(chunk);
    if (output.length > 0) yield output;
    if (encoder.complete) break;
  }
  yield encoder.finish();
}
