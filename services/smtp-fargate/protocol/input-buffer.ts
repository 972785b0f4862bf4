// Bytes received but not yet consumed, read either as CRLF-terminated command lines or as raw
// octets (DATA, BDAT). One buffer per session, so that a mode switch never loses or reorders input.

export type LineRead =
  | { readonly kind: 'line'; readonly text: string; readonly bareLf: boolean }
  /** The line passed the limit; its bytes up to and including the next LF are discarded. */
  | { readonly kind: 'too-long' };

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

export class InputBuffer {
  private bytes: Buffer = EMPTY;
  private discardingLongLine = false;

  get length(): number {
    return this.bytes.length;
  }

  append(chunk: Buffer): void {
    this.bytes = this.bytes.length === 0 ? chunk : Buffer.concat([this.bytes, chunk]);
  }

  /** The next complete line (UTF-8 decoded, line ending removed), or null when more input is needed. */
  readLine(maxLineBytes: number): LineRead | null {
    const lf = this.bytes.indexOf(LF);
    if (this.discardingLongLine) {
      this.bytes = lf < 0 ? EMPTY : this.bytes.subarray(lf + 1);
      if (lf < 0) return null;
      this.discardingLongLine = false;
      return { kind: 'too-long' };
    }
    if (lf < 0) {
      if (this.bytes.length > maxLineBytes) {
        this.bytes = EMPTY;
        this.discardingLongLine = true;
      }
      return null;
    }
    if (lf > maxLineBytes) {
      this.bytes = this.bytes.subarray(lf + 1);
      return { kind: 'too-long' };
    }
    const bareLf = lf === 0 || this.bytes[lf - 1] !== CR;
    const text = this.bytes.toString('utf8', 0, bareLf ? lf : lf - 1);
    this.bytes = this.bytes.subarray(lf + 1);
    return { kind: 'line', text, bareLf };
  }

  /** Up to `maxBytes` raw octets. */
  take(maxBytes: number): Buffer {
    const taken = this.bytes.subarray(0, maxBytes);
    this.bytes = this.bytes.subarray(taken.length);
    return taken;
  }

  /** Puts back octets taken but not used (what follows the end of DATA). */
  unshift(bytes: Buffer): void {
    if (bytes.length > 0) this.bytes = this.bytes.length === 0 ? bytes : Buffer.concat([bytes, this.bytes]);
  }

  /** Drops everything buffered (STARTTLS injection defence, RFC 3207 §5). */
  clear(): void {
    this.bytes = EMPTY;
    this.discardingLongLine = false;
  }
}
