// Header fields of a message as filters and the spam scorer read them: lower-case name and the
// unfolded value with RFC 2047 encoded-words decoded.
import libmime from 'libmime';

export interface HeaderField {
  /** Lower-case field name. */
  readonly name: string;
  /** Unfolded (RFC 5322 §2.2.3) and decoded (RFC 2047) value. */
  readonly value: string;
  /** Unfolded value as written, encoded-words and all (what IMAP ENVELOPE returns). */
  readonly raw: string;
}

/** mailauth hands header lines over as Buffers (its typings say string). */
export function headerLineText(line: Uint8Array | string): string {
  return typeof line === 'string' ? line : Buffer.from(line).toString('utf8');
}

/** Decodes raw header lines (`Name: value` with folding) as mailauth's parser yields them. */
export function decodeHeaderLines(lines: readonly { readonly key: string; readonly line: Uint8Array | string }[]): HeaderField[] {
  return lines.map(({ key, line }) => {
    const text = headerLineText(line);
    const unfolded = text
      .slice(text.indexOf(':') + 1)
      .replace(/\r?\n(?=[ \t])/g, '')
      .trim();
    let value = unfolded;
    try {
      value = libmime.decodeWords(unfolded);
    } catch {
      // An undecodable encoded-word stays as written: filters still match its raw text.
    }
    return { name: key.toLowerCase(), value, raw: unfolded };
  });
}

/** The first field's value, or null. */
export function firstHeader(fields: readonly HeaderField[], name: string): string | null {
  return fields.find((field) => field.name === name)?.value ?? null;
}

/** The first field's value as written (undecoded), or null. */
export function firstRawHeader(fields: readonly HeaderField[], name: string): string | null {
  return fields.find((field) => field.name === name)?.raw ?? null;
}
