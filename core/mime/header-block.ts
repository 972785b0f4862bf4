// Header blocks as bytes: split into fields (RFC 5322 §2.2), unfold (§2.2.3), and cut the subset
// IMAP's BODY[HEADER.FIELDS (…)] / .NOT returns (RFC 3501 §6.4.5), byte-exact from the stored blob.

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
/** RFC 5322 §3.6.8 ftext: printable US-ASCII except the colon (so an mbox `From ` line is no field). */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** One header field: the name as written (compare case-insensitively) and the raw value after the colon. */
export type HeaderField = readonly [name: string, rawValue: string];

/** Where one field sits in a header block: [start, end) covers its lines including the final line break. */
interface FieldSpan {
  readonly name: string;
  readonly start: number;
  readonly valueStart: number;
  /** End of the value, before the final line break. */
  readonly valueEnd: number;
  readonly end: number;
}

interface HeaderLayout {
  readonly fields: readonly FieldSpan[];
  /** The blank line that ends the header, if present: [start, end). */
  readonly blankLine: readonly [number, number] | null;
}

/** Position after the line break of the line starting at `start`, and where its content ends. */
function lineAt(bytes: Buffer, start: number): { contentEnd: number; next: number } {
  const lf = bytes.indexOf(LF, start);
  if (lf === -1) return { contentEnd: bytes.length, next: bytes.length };
  const contentEnd = lf > start && bytes[lf - 1] === CR ? lf - 1 : lf;
  return { contentEnd, next: lf + 1 };
}

/**
 * Splits a header block into fields. Lines that are neither a field nor a continuation (RFC 5322
 * §2.2: a field name is followed by a colon) are skipped with their continuations, as they name
 * nothing a client could ask for. Stops at the blank line; the rest (if any) is body.
 */
function layoutHeader(bytes: Buffer): HeaderLayout {
  const fields: FieldSpan[] = [];
  let position = 0;
  while (position < bytes.length) {
    const { contentEnd, next } = lineAt(bytes, position);
    if (contentEnd === position) return { fields, blankLine: [position, next] };
    let end = next;
    let valueEnd = contentEnd;
    // RFC 5322 §2.2.3: a line starting with white space continues the field above it.
    while (end < bytes.length && (bytes[end] === SP || bytes[end] === HT)) {
      const continuation = lineAt(bytes, end);
      valueEnd = continuation.contentEnd;
      end = continuation.next;
    }
    const colon = bytes.indexOf(COLON, position);
    const first = bytes[position];
    if (colon !== -1 && colon < contentEnd && first !== SP && first !== HT) {
      // RFC 5322 §4.5.2 (obsolete syntax): white space may stand between the name and the colon.
      const name = bytes.toString('latin1', position, colon).trimEnd();
      if (FIELD_NAME.test(name)) fields.push({ name, start: position, valueStart: colon + 1, valueEnd, end });
    }
    position = end;
  }
  return { fields, blankLine: null };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Fields of a header block in order; values are raw (still folded, encoded words intact), read as UTF-8 (RFC 6532). */
export function parseHeaderBlock(bytes: Uint8Array): HeaderField[] {
  const buffer = asBuffer(bytes);
  return layoutHeader(buffer).fields.map((field) => [field.name, buffer.toString('utf8', field.valueStart, field.valueEnd)]);
}

/** RFC 5322 §2.2.3 unfolding: line breaks before white space vanish; outer white space is trimmed. */
export function unfoldHeaderValue(rawValue: string): string {
  return rawValue
    .replace(/\r?\n(?=[ \t])/g, '')
    .replace(/[\r\n]+/g, '')
    .trim();
}

/** The first value of each field by lower-case name, unfolded; pass `wanted` to decode only those fields. */
export type HeaderValues = ReadonlyMap<string, string>;

export function firstHeaderValues(bytes: Uint8Array, wanted?: ReadonlySet<string>): HeaderValues {
  const buffer = asBuffer(bytes);
  const values = new Map<string, string>();
  for (const field of layoutHeader(buffer).fields) {
    const name = field.name.toLowerCase();
    if (values.has(name) || (wanted && !wanted.has(name))) continue;
    values.set(name, unfoldHeaderValue(buffer.toString('utf8', field.valueStart, field.valueEnd)));
  }
  return values;
}

/** The first field of that name (case-insensitive), unfolded; null when absent. */
export function headerValue(fields: readonly HeaderField[], name: string): string | null {
  const wanted = name.toLowerCase();
  const field = fields.find(([fieldName]) => fieldName.toLowerCase() === wanted);
  return field ? unfoldHeaderValue(field[1]) : null;
}

/**
 * BODY[HEADER.FIELDS (names)] (or .NOT when `not`): the matching field lines exactly as stored, in
 * their original order, followed by the blank line when the header had one (RFC 3501 §6.4.5).
 */
export function headerFieldsSubset(headerBytes: Uint8Array, names: readonly string[], not: boolean): Buffer {
  const buffer = asBuffer(headerBytes);
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const layout = layoutHeader(buffer);
  const pieces: Buffer[] = [];
  for (const field of layout.fields) {
    if (wanted.has(field.name.toLowerCase()) !== not) pieces.push(buffer.subarray(field.start, field.end));
  }
  if (layout.blankLine) pieces.push(buffer.subarray(layout.blankLine[0], layout.blankLine[1]));
  return Buffer.concat(pieces);
}
