// Header fields of a message as filters and the spam scorer read them: lower-case name and the
// unfolded value with RFC 2047 encoded-words decoded.
import { decodeEncodedWords, unfoldHeaderValue } from '../mime/index.js';

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
export function decodeHeaderLines(lines: readonly { readonly key: string | null; readonly line: Uint8Array | string }[]): HeaderField[] {
  return lines.map(({ key, line }) => {
    const text = headerLineText(line);
    const unfolded = unfoldHeaderValue(text.slice(text.indexOf(':') + 1));
    const value = decodeEncodedWords(unfolded); // an undecodable word stays as written
    // mailauth leaves `key` null on some lines; the name before the colon is the truth anyway.
    return { name: (key ?? text.slice(0, Math.max(text.indexOf(':'), 0))).trim().toLowerCase(), value, raw: unfolded };
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
