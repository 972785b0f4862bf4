// The searchable text of a message (SEARCH TEXT/BODY, RFC 3501 §6.4.4) as byte ranges of the stored
// blob plus streaming decoders: text/* parts with their Content-Transfer-Encoding (RFC 2045 §6) and
// charset undone, header blocks unfolded with RFC 2047 words decoded. Attachments are not text.
import type { MessageStructure, MimePart } from '../mail/message-structure.js';
import { TextDecoder } from 'node:util';
import { decodeEncodedWords } from './encoded-words.js';

/** `header`: the message's own header (TEXT only); `body`: text parts and headers of attached messages. */
export type TextColumn = 'header' | 'body';

export interface TextRange {
  readonly column: TextColumn;
  readonly start: number;
  readonly end: number;
  /** Header blocks are decoded as headers; text parts by their transfer encoding and charset. */
  readonly kind: 'header' | 'text';
  readonly encoding: string;
  readonly charset: string;
}

/** A decoder for one range: bytes in, text out, chunk by chunk (no part is held whole). */
export interface TextDecoderStream {
  write(bytes: Uint8Array): string;
  end(): string;
}

/** Header blocks larger than this are cut (the structure parser keeps at most 256 KiB anyway). */
const MAX_HEADER_BYTES = 256 * 1024;

/** The ranges SEARCH looks at: `text` adds the top-level header to what `body` covers. */
export function textRanges(structure: MessageStructure, scope: 'text' | 'body'): TextRange[] {
  const ranges: TextRange[] = [];
  const root = structure.root;
  if (scope === 'text') ranges.push(headerRange('header', root));
  collectBodyText(root, ranges);
  return ranges;
}

function headerRange(column: TextColumn, part: MimePart): TextRange {
  return { column, start: part.headerStart, end: part.bodyStart, kind: 'header', encoding: '7bit', charset: 'utf-8' };
}

function collectBodyText(part: MimePart, ranges: TextRange[]): void {
  if (part.children !== undefined) {
    for (const child of part.children) collectBodyText(child, ranges);
  } else if (part.message !== undefined) {
    // An attached message's header and text are part of the enclosing body (RFC 3501 §6.4.4 BODY).
    ranges.push(headerRange('body', part.message.root));
    collectBodyText(part.message.root, ranges);
  } else if (part.type === 'text' && part.bodyEnd > part.bodyStart) {
    const charset = part.params.find(([name]) => name === 'charset')?.[1] ?? 'utf-8';
    ranges.push({ column: 'body', start: part.bodyStart, end: part.bodyEnd, kind: 'text', encoding: part.encoding, charset });
  }
}

export function createTextDecoder(range: TextRange): TextDecoderStream {
  return range.kind === 'header' ? headerDecoder() : bodyDecoder(range.encoding, range.charset);
}

/** Collects the (bounded) header block, then unfolds it (RFC 5322 §2.2.3) and decodes encoded words per line. */
function headerDecoder(): TextDecoderStream {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    write(bytes) {
      if (size < MAX_HEADER_BYTES) chunks.push(Buffer.from(bytes.subarray(0, MAX_HEADER_BYTES - size)));
      size += bytes.length;
      return '';
    },
    end() {
      const unfolded = Buffer.concat(chunks).toString('utf8').replace(/\r?\n(?=[ \t])/gu, '');
      return unfolded
        .split(/\r?\n/u)
        .map((line) => decodeEncodedWords(line))
        .join('\n');
    },
  };
}

function bodyDecoder(encoding: string, charset: string): TextDecoderStream {
  const text = charsetDecoder(charset);
  const transfer = encoding === 'base64' ? base64Decoder() : encoding === 'quoted-printable' ? quotedPrintableDecoder() : null;
  return {
    write: (bytes) => text.decode(transfer === null ? bytes : transfer.write(bytes), { stream: true }),
    end: () => text.decode(transfer === null ? new Uint8Array(0) : transfer.end()),
  };
}

function charsetDecoder(charset: string): TextDecoder {
  // us-ascii would be windows-1252 to WHATWG; mail that says ASCII yet holds 8-bit text is usually UTF-8.
  const label = charset.trim().toLowerCase();
  try {
    return new TextDecoder(label === '' || label === 'us-ascii' ? 'utf-8' : label);
  } catch {
    return new TextDecoder('utf-8');
  }
}

interface ByteDecoder {
  write(bytes: Uint8Array): Uint8Array;
  end(): Uint8Array;
}

/** RFC 2045 §6.8: characters outside the alphabet are ignored; whole quanta are decoded as they arrive. */
function base64Decoder(): ByteDecoder {
  let pending = '';
  return {
    write(bytes) {
      pending += Buffer.from(bytes).toString('latin1').replace(/[^A-Za-z0-9+/]/gu, '');
      const whole = pending.length - (pending.length % 4);
      const out = Buffer.from(pending.slice(0, whole), 'base64');
      pending = pending.slice(whole);
      return out;
    },
    end: () => Buffer.from(pending, 'base64'),
  };
}

/** RFC 2045 §6.7: `=XX` octets and soft line breaks; an `=` sequence cut by a chunk boundary waits for the next. */
function quotedPrintableDecoder(): ByteDecoder {
  let pending = '';
  const decode = (text: string) =>
    Buffer.from(
      text.replace(/=(?:\r?\n|([0-9A-Fa-f]{2}))/gu, (_, hex: string | undefined) => (hex === undefined ? '' : String.fromCharCode(parseInt(hex, 16)))),
      'latin1',
    );
  return {
    write(bytes) {
      const text = pending + Buffer.from(bytes).toString('latin1');
      const cut = text.lastIndexOf('=');
      const keep = cut >= 0 && cut >= text.length - 3 ? cut : text.length;
      pending = text.slice(keep);
      return decode(text.slice(0, keep));
    },
    end: () => decode(pending),
  };
}
