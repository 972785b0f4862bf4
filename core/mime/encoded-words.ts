// Header text to Unicode, for SEARCH and filters: RFC 2047 encoded words and RFC 2231 extended
// parameter values. IMAP's ENVELOPE and BODYSTRUCTURE keep the raw forms; only these helpers decode.
import libmime from 'libmime';

/** Decodes RFC 2047 encoded words (`=?charset?B|Q?…?=`); text that is not encoded passes unchanged. */
export function decodeEncodedWords(text: string): string {
  try {
    return libmime.decodeWords(text);
  } catch {
    // A hostile or broken word must not break SEARCH: the raw text is still searchable.
    return text;
  }
}

/** Decodes bytes in a named charset; unknown labels fall back to UTF-8 (with replacement characters). */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset.trim() || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** RFC 2231 §4: `charset'language'percent-encoded` to Unicode. */
export function decodeExtendedValue(value: string): string {
  const match = /^([^']*)'[^']*'(.*)$/s.exec(value);
  const charset = match?.[1] || 'us-ascii';
  const encoded = match ? (match[2] ?? '') : value;
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const hex = encoded[i] === '%' ? encoded.slice(i + 1, i + 3) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      for (const byte of Buffer.from(encoded[i] ?? '', 'utf8')) bytes.push(byte);
    }
  }
  // us-ascii is a WHATWG alias of windows-1252, which decodes 8-bit bytes rather than dropping them.
  return decodeCharset(Uint8Array.from(bytes), charset);
}

/**
 * The Unicode value of a Content-Type or Content-Disposition parameter, as stored in MimePart.params
 * (RFC 2231 continuations joined; an extended value is kept under `name*`). Quoted values with
 * RFC 2047 words inside (common for file names, though RFC 2047 §5 forbids it) are decoded too.
 */
export function parameterValue(params: readonly (readonly [string, string])[], name: string): string | null {
  const wanted = name.toLowerCase();
  const extended = params.find(([key]) => key === `${wanted}*`);
  if (extended) return decodeExtendedValue(extended[1]);
  const plain = params.find(([key]) => key === wanted);
  return plain ? decodeEncodedWords(plain[1]) : null;
}
