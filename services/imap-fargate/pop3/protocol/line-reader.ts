// Splits the client's byte stream into command lines (RFC 1939 §3: CRLF-terminated; a bare LF is
// accepted too, as clients in the wild send it). Pure: bytes in, lines out, no sockets.

export type LineEvent =
  | { readonly kind: 'line'; readonly text: string }
  /** The line passed the limit; its bytes up to the next LF were dropped. */
  | { readonly kind: 'too-long' };

const LF = 0x0a;
const CR = 0x0d;

export class LineReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skippingLongLine = false;

  /** @param maxLineBytes longest line accepted, without its CRLF */
  constructor(private readonly maxLineBytes: number) {}

  push(chunk: Uint8Array): LineEvent[] {
    const events: LineEvent[] = [];
    let buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let lf = buffer.indexOf(LF); lf !== -1; lf = buffer.indexOf(LF)) {
      const event = this.finishLine(buffer.subarray(0, lf));
      if (event) events.push(event);
      buffer = buffer.subarray(lf + 1);
    }
    if (buffer.length > 0) this.append(buffer, events);
    return events;
  }

  /**
   * Drops bytes received but not yet returned as lines. After STLS, anything the client pipelined
   * behind the command arrived in plaintext and must not be executed inside TLS (RFC 2595 §3.1,
   * the STARTTLS command-injection attack).
   */
  discardBuffered(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.skippingLongLine = false;
  }

  private append(bytes: Buffer, events: LineEvent[]): void {
    if (this.skippingLongLine) return;
    // A trailing CR may still belong to the CRLF: allow one byte over the limit until the LF comes.
    if (this.pendingBytes + bytes.length > this.maxLineBytes + 1) {
      this.discardBuffered();
      this.skippingLongLine = true;
      events.push({ kind: 'too-long' });
      return;
    }
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  private finishLine(tail: Buffer): LineEvent | null {
    if (this.skippingLongLine) {
      this.skippingLongLine = false;
      return null;
    }
    let line = this.pendingBytes === 0 ? tail : Buffer.concat([...this.pending, tail]);
    this.pending = [];
    this.pendingBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > this.maxLineBytes) return { kind: 'too-long' };
    return { kind: 'line', text: line.toString('utf8') };
  }
}
