// FETCH BINARY[part]<partial> and BINARY.SIZE[part] (RFC 3516, RFC 9051 §6.4.5): a part's content with
// its Content-Transfer-Encoding removed, decoded while it streams from a ranged blob read. The decoded
// size (and whether it holds NUL, which needs literal8 `~{n}`, RFC 3516 §4.3) takes one decoding pass
// that counts and keeps nothing; a small per-session cache spares BINARY.SIZE + BINARY a second one.
import type { Readable } from 'node:stream';
import type { MessageStructure } from '../../../../core/mail/message-structure.js';
import { createTransferDecoder, decodeTransferEncoding, isIdentityEncoding } from '../../../../core/mime/index.js';
import type { BlobStore } from '../../../../core/ports/index.js';
import type { BodySection } from '../protocol/fetch-items.js';
import { findPart } from './body-sections.js';
import { no } from './replies.js';

export interface BinaryPart {
  readonly blobKey: string;
  /** The encoded content: the part's body in the blob. */
  readonly start: number;
  readonly end: number;
  readonly encoding: string;
}

export interface DecodedMeasure {
  readonly sizeBytes: number;
  readonly hasNul: boolean;
}

/**
 * The encoded bytes a BINARY section names, or null when the part does not exist (answered with an
 * empty string, as BODY does). BINARY[] is the whole message as stored: a message has no CTE of its
 * own. Throws NO [UNKNOWN-CTE] before anything of the response is written (RFC 3516 §4.2).
 */
export function binaryPart(blobKey: string, structure: MessageStructure | null, section: BodySection, messageBytes: number): BinaryPart | null {
  if (section.part.length === 0 || structure === null) return { blobKey, start: 0, end: messageBytes, encoding: 'binary' };
  const part = findPart(structure.root, section.part);
  if (part === null) return null;
  if (createTransferDecoder(part.encoding) === null) throw no('UNKNOWN-CTE', `Cannot decode the ${part.encoding.slice(0, 40)} content transfer encoding of part ${section.part.join('.')}; fetch it with BODY[]`);
  return { blobKey, start: part.bodyStart, end: part.bodyEnd, encoding: part.encoding };
}

/** Decoded sizes measured recently, by blob and part offset: BINARY.SIZE then BINARY costs one pass. */
const MEASURE_CACHE_ENTRIES = 64;

export class BinaryMeasurer {
  private readonly cache = new Map<string, DecodedMeasure>();

  constructor(private readonly blobs: BlobStore) {}

  /** `needNul` false: only the size is wanted (BINARY.SIZE), which identity encodings know without reading. */
  async measure(part: BinaryPart, needNul: boolean): Promise<DecodedMeasure> {
    const encodedBytes = part.end - part.start;
    if (isIdentityEncoding(part.encoding) && (!needNul || part.encoding.toLowerCase() === '7bit')) {
      // RFC 2045 §2.7: 7bit data has no NUL; a lying 7bit part would still be a valid (if imperfect) reply.
      return { sizeBytes: encodedBytes, hasNul: false };
    }
    const key = `${part.blobKey}#${part.start}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    let sizeBytes = 0;
    let hasNul = false;
    for await (const chunk of decodedContent(this.blobs, part)) {
      sizeBytes += chunk.length;
      hasNul ||= chunk.includes(0);
    }
    const measured = { sizeBytes, hasNul };
    if (this.cache.size >= MEASURE_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, measured);
    return measured;
  }
}

async function* decodedContent(blobs: BlobStore, part: BinaryPart): AsyncGenerator<Buffer> {
  if (part.end <= part.start) return;
  const stream: Readable = await blobs.get(part.blobKey, { start: part.start, end: part.end });
  try {
    yield* decodeTransferEncoding(stream, part.encoding);
  } finally {
    stream.destroy();
  }
}

/** Decoded bytes [from, to) of the part, streamed; stops reading the blob once `to` is reached. */
export async function* decodedRange(blobs: BlobStore, part: BinaryPart, from: number, to: number): AsyncGenerator<Buffer> {
  let position = 0;
  for await (const chunk of decodedContent(blobs, part)) {
    const next = position + chunk.length;
    if (next > from) yield chunk.subarray(Math.max(0, from - position), Math.min(chunk.length, to - position));
    position = next;
    if (position >= to) return;
  }
}
