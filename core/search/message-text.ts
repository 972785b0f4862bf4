// Reads the searchable text of a stored message (core/mime/text-parts.ts) in one streamed pass over
// the blob: the text indexer collects it (bounded), SEARCH looks for a needle in it and stops at the
// first hit. Both see the same decoded, folded text, so indexed and scanned messages match alike.
import type { MessageStructure } from '../mail/message-structure.js';
import { foldForSearch } from '../mail/search-text.js';
import { createTextDecoder, textRanges, type TextColumn, type TextDecoderStream, type TextRange } from '../mime/text-parts.js';
import type { BlobStore } from '../ports/blob-store.js';

export interface StoredMessageRef {
  readonly blobKey: string;
  readonly structure: MessageStructure;
}

interface TextPiece {
  readonly column: TextColumn;
  /** Index of the range this piece belongs to: text never runs on from one range into the next. */
  readonly range: number;
  readonly text: string;
}

/** Decoded, folded text of `ranges`, piece by piece, from one ranged read of the blob. */
async function* textPieces(blobs: BlobStore, message: StoredMessageRef, ranges: readonly TextRange[]): AsyncGenerator<TextPiece> {
  if (ranges.length === 0) return;
  const first = ranges[0]!.start;
  const stream = await blobs.get(message.blobKey, { start: first, end: ranges[ranges.length - 1]!.end });
  let offset = first;
  let current = 0;
  let decoder: TextDecoderStream | null = null;
  const finish = function* (): Generator<TextPiece> {
    if (decoder !== null) yield { column: ranges[current]!.column, range: current, text: foldForSearch(decoder.end()) };
    decoder = null;
    current++;
  };
  try {
    for await (const raw of stream) {
      const chunk = raw as Uint8Array;
      const chunkEnd = offset + chunk.length;
      while (current < ranges.length) {
        const range = ranges[current]!;
        const from = Math.max(range.start, offset);
        const to = Math.min(range.end, chunkEnd);
        if (from < to) {
          decoder ??= createTextDecoder(range);
          const text = decoder.write(chunk.subarray(from - offset, to - offset));
          if (text !== '') yield { column: range.column, range: current, text: foldForSearch(text) };
        }
        if (range.end > chunkEnd) break;
        yield* finish();
      }
      offset = chunkEnd;
    }
    while (current < ranges.length) yield* finish();
  } finally {
    stream.destroy();
  }
}

/** The text to index, each column's ranges joined by "\n"; null once it passes `maxChars` (not indexed). */
export async function readMessageText(blobs: BlobStore, message: StoredMessageRef, maxChars: number): Promise<{ header: string; body: string } | null> {
  const parts: Record<TextColumn, string[]> = { header: [], body: [] };
  let total = 0;
  let lastRange = -1;
  for await (const piece of textPieces(blobs, message, textRanges(message.structure, 'text'))) {
    total += piece.text.length;
    if (total > maxChars) return null;
    if (piece.range !== lastRange && parts[piece.column].length > 0) parts[piece.column].push('\n');
    parts[piece.column].push(piece.text);
    lastRange = piece.range;
  }
  return { header: parts.header.join(''), body: parts.body.join('') };
}

/** SEARCH TEXT/BODY on one message: case-insensitive substring of its decoded text (RFC 3501 §6.4.4). */
export async function messageTextContains(blobs: BlobStore, message: StoredMessageRef, scope: 'text' | 'body', needle: string): Promise<boolean> {
  const folded = foldForSearch(needle);
  if (folded === '') return true;
  let carry = '';
  let lastRange = -1;
  for await (const piece of textPieces(blobs, message, textRanges(message.structure, scope))) {
    // A match may straddle two pieces of one range, never two ranges.
    const text = (piece.range === lastRange ? carry : '') + piece.text;
    if (text.includes(folded)) return true;
    carry = text.slice(-(folded.length - 1) || text.length);
    lastRange = piece.range;
  }
  return false;
}
