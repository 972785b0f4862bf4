// Streaming Content-Transfer-Encoding decoders (RFC 2045 §6): chunks in, decoded chunks out, any
// split point, memory bounded by a few bytes of carry (plus at most one line's trailing white space
// for quoted-printable). IMAP BINARY (RFC 3516) serves decoded parts with them, straight from ranged
// blob reads. Malformed input never throws: stray characters are skipped or passed through.

export interface TransferDecoder {
  write(chunk: Uint8Array): Buffer;
  end(): Buffer;
}

/** Encodings whose content is the bytes themselves (RFC 2045 §6.2). */
const IDENTITY = new Set(['7bit', '8bit', 'binary']);

/** A decoder for a (lower-case) Content-Transfer-Encoding, or null for one we do not know. */
export function createTransferDecoder(encoding: string): TransferDecoder | null {
  const name = encoding.toLowerCase();
  if (IDENTITY.has(name)) return { write: (chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), end: () => Buffer.alloc(0) };
  if (name === 'base64') return new Base64Decoder();
  if (name === 'quoted-printable') return new QuotedPrintableDecoder();
  return null;
}

export function isIdentityEncoding(encoding: string): boolean {
  return IDENTITY.has(encoding.toLowerCase());
}

/** Decodes a stream; throws when the encoding is unknown (callers check createTransferDecoder first). */
export async function* decodeTransferEncoding(source: AsyncIterable<Uint8Array>, encoding: string): AsyncGenerator<Buffer> {
  const decoder = createTransferDecoder(encoding);
  if (decoder === null) throw new Error(`unknown content-transfer-encoding ${encoding}`);
  for await (const chunk of source) {
    const out = decoder.write(chunk);
    if (out.length > 0) yield out;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/** RFC 2045 §6.8: characters outside the alphabet are ignored; whole 4-character groups are decoded as they complete. */
class Base64Decoder implements TransferDecoder {
  private carry = '';

  write(chunk: Uint8Array): Buffer {
    const text = this.carry + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1').replace(/[^A-Za-z0-9+/]/gu, '');
    const whole = text.length - (text.length % 4);
    this.carry = text.slice(whole);
    return Buffer.from(text.slice(0, whole), 'base64');
  }

  end(): Buffer {
    // A final group of 2 or 3 characters (padding lost or stripped) still carries 1 or 2 bytes.
    const rest = Buffer.from(this.carry, 'base64');
    this.carry = '';
    return rest;
  }
}

const EQUALS = 0x3d;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
/** Trailing white space is held until the line's end shows whether it is trailing; past this it is content. */
const MAX_HELD_WHITESPACE = 998;

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20; // RFC 2045 §6.7 asks for upper case; lower case is accepted (robustness)
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

type QpState = 'text' | 'cr' | 'equals' | 'hex' | 'soft-cr';

/**
 * RFC 2045 §6.7: `=XX` is an octet, `=` at a line's end is a soft line break, white space at the end
 * of a line is padding to drop. Line breaks are kept as they were (CRLF, or LF in bare-LF mail).
 */
class QuotedPrintableDecoder implements TransferDecoder {
  private state: QpState = 'text';
  private firstHex = 0;
  private whitespace: number[] = [];

  write(chunk: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(chunk.length + this.whitespace.length + 3);
    let n = 0;
    const flushWhitespace = () => {
      for (const byte of this.whitespace) out[n++] = byte;
      this.whitespace.length = 0;
    };
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      switch (this.state) {
        case 'text':
          if (byte === SPACE || byte === TAB) {
            this.whitespace.push(byte);
            if (this.whitespace.length > MAX_HELD_WHITESPACE) flushWhitespace();
          } else if (byte === CR) {
            this.state = 'cr';
          } else if (byte === LF) {
            this.whitespace.length = 0;
            out[n++] = LF;
          } else {
            flushWhitespace();
            if (byte === EQUALS) this.state = 'equals';
            else out[n++] = byte;
          }
          break;
        case 'cr':
          this.state = 'text';
          if (byte === LF) {
            this.whitespace.length = 0;
            out[n++] = CR;
            out[n++] = LF;
          } else {
            flushWhitespace();
            out[n++] = CR;
            i--; // a bare CR is content; look at this byte again as text
          }
          break;
        case 'equals':
          if (hexValue(byte) >= 0) {
            this.firstHex = byte;
            this.state = 'hex';
          } else if (byte === CR) {
            this.state = 'soft-cr';
          } else if (byte === LF) {
            this.state = 'text'; // soft line break
          } else if (byte !== SPACE && byte !== TAB) {
            out[n++] = EQUALS; // not an escape: keep the `=` as content
            this.state = 'text';
            i--;
          } // white space after a soft-break `=` is dropped (RFC 2045 §6.7 note 3: added by transports)
          break;
        case 'hex':
          this.state = 'text';
          if (hexValue(byte) >= 0) {
            out[n++] = hexValue(this.firstHex) * 16 + hexValue(byte);
          } else {
            out[n++] = EQUALS;
            out[n++] = this.firstHex;
            i--;
          }
          break;
        case 'soft-cr':
          this.state = 'text';
          if (byte !== LF) i--;
          break;
      }
    }
    return out.subarray(0, n);
  }

  end(): Buffer {
    const tail = this.state === 'cr' ? [CR] : this.state === 'equals' ? [EQUALS] : this.state === 'hex' ? [EQUALS, this.firstHex] : [];
    this.state = 'text';
    this.whitespace.length = 0; // white space at the very end is trailing too
    return Buffer.from(tail);
  }
}
