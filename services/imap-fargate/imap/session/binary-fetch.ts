// FETCH BINARY[part]<partial> and BINARY.SIZE[part] (RFC 3516, RFC 9051 §6.4.5): a part's content with
// its Content-Transfer-Encoding removed, decoded from a ranged blob read. A literal's length comes
// before its bytes, and literal8 `~{n}` is needed when they hold NUL (RFC 3516 §4.3), so the decoded
// bytes must be known before they are sent. One read and one decoding pass serve a part whenever its
// bytes can be held (parts up to 1 MiB encoded, and partials up to 1 MiB): held per FETCH response, so
// `BINARY.SIZE[n] BINARY[n]` decodes once. 7bit parts stream as stored. Only a larger part fetched
// whole is measured first (a pass that keeps nothing, remembered per session) and decoded again as it
// streams, so nothing large is ever held.
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

/** What a BINARY literal needs: its length, whether it must be literal8, and its bytes (held or streamed). */
export type BinaryContent = { readonly sizeBytes: number; readonly hasNul: boolean } & (
  | { readonly held: readonly Buffer[] }
  | { readonly stream: AsyncIterable<Buffer> }
);

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

/** Decoded bytes held in memory at most, per part: one FETCH response holds few parts at once. */
const HELD_BYTES = 1 << 20;
/** Decoded sizes measured recently, by blob and part offset: a later BINARY.SIZE or BINARY reads nothing more. */
const MEASURE_CACHE_ENTRIES = 64;

const partKey = (part: BinaryPart) => `${part.blobKey}#${part.start}`;
const is7bit = (part: BinaryPart) => part.encoding.toLowerCase() === '7bit';

/** Per session: decoded sizes of large parts, so measuring one costs a pass once (RFC 3516 BINARY.SIZE). */
export class BinaryMeasurer {
  private readonly cache = new Map<string, DecodedMeasure>();

  constructor(readonly blobs: BlobStore) {}

  get(part: BinaryPart): DecodedMeasure | undefined {
    return this.cache.get(partKey(part));
  }

  remember(part: BinaryPart, measure: DecodedMeasure): void {
    if (this.cache.size >= MEASURE_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(partKey(part), measure);
  }

  /** One decoding pass that counts and keeps nothing (for parts too large to hold). */
  async measure(part: BinaryPart): Promise<DecodedMeasure> {
    const cached = this.get(part);
    if (cached !== undefined) return cached;
    let sizeBytes = 0;
    let hasNul = false;
    for await (const chunk of decodedContent(this.blobs, part)) {
      sizeBytes += chunk.length;
      hasNul ||= chunk.includes(0);
    }
    const measured = { sizeBytes, hasNul };
    this.remember(part, measured);
    return measured;
  }
}

/** The BINARY parts of one FETCH response: each part is read and decoded at most once for it. */
export class BinaryResponseParts {
  private readonly held = new Map<string, Promise<Buffer[]>>();

  constructor(private readonly measurer: BinaryMeasurer) {}

  /** BINARY.SIZE: identity encodings need no read; a part small enough is held for a BINARY after it. */
  async size(part: BinaryPart): Promise<number> {
    if (isIdentityEncoding(part.encoding)) return part.end - part.start;
    const known = this.measurer.get(part);
    if (known !== undefined) return known.sizeBytes;
    if (part.end - part.start <= HELD_BYTES) return totalLength(await this.hold(part));
    return (await this.measurer.measure(part)).sizeBytes;
  }

  /** BINARY[part]<from.length>: decoded octets from `from`, `length` of them at most (null: to the end). */
  async content(part: BinaryPart, from: number, length: number | null): Promise<BinaryContent> {
    const blobs = this.measurer.blobs;
    const encodedBytes = part.end - part.start;
    if (is7bit(part)) {
      // RFC 2045 §2.7: 7bit data has no NUL, and its decoded octets are the stored ones: stream them.
      const start = Math.min(encodedBytes, from);
      const end = length === null ? encodedBytes : Math.min(encodedBytes, start + length);
      return end > start ? { sizeBytes: end - start, hasNul: false, stream: rawRange(blobs, part, start, end) } : { sizeBytes: 0, hasNul: false, held: [] };
    }
    if (encodedBytes <= HELD_BYTES) return window(await this.hold(part), from, length);
    if (length !== null && length <= HELD_BYTES) return window(await collect(decodedRange(blobs, part, from, from + length)), 0, null);
    const { sizeBytes, hasNul } = await this.measurer.measure(part);
    const start = Math.min(sizeBytes, from);
    const end = length === null ? sizeBytes : Math.min(sizeBytes, start + length);
    return { sizeBytes: end - start, hasNul, stream: decodedRange(blobs, part, start, end) };
  }

  /** The whole part decoded into memory (it is small), once per response; its measure is remembered. */
  private hold(part: BinaryPart): Promise<Buffer[]> {
    const key = partKey(part);
    let held = this.held.get(key);
    if (held === undefined) {
      held = collect(decodedContent(this.measurer.blobs, part)).then((chunks) => {
        this.measurer.remember(part, { sizeBytes: totalLength(chunks), hasNul: chunks.some((chunk) => chunk.includes(0)) });
        return chunks;
      });
      this.held.set(key, held);
    }
    return held;
  }
}

const totalLength = (chunks: readonly Buffer[]) => chunks.reduce((sum, chunk) => sum + chunk.length, 0);

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return chunks;
}

/** Octets [from, from + length) of held chunks, without copying them. */
function window(chunks: readonly Buffer[], from: number, length: number | null): BinaryContent {
  const out: Buffer[] = [];
  const end = length === null ? Infinity : from + length;
  let position = 0;
  for (const chunk of chunks) {
    const next = position + chunk.length;
    if (next > from && position < end) out.push(chunk.subarray(Math.max(0, from - position), Math.min(chunk.length, end - position)));
    position = next;
  }
  return { sizeBytes: totalLength(out), hasNul: out.some((chunk) => chunk.includes(0)), held: out };
}

async function* rawRange(blobs: BlobStore, part: BinaryPart, from: number, to: number): AsyncGenerator<Buffer> {
  const stream: Readable = await blobs.get(part.blobKey, { start: part.start + from, end: part.start + to });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream.destroy();
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
async function* decodedRange(blobs: BlobStore, part: BinaryPart, from: number, to: number): AsyncGenerator<Buffer> {
  let position = 0;
  for await (const chunk of decodedContent(blobs, part)) {
    const next = position + chunk.length;
    if (next > from) yield chunk.subarray(Math.max(0, from - position), Math.min(chunk.length, to - position));
    position = next;
    if (position >= to) return;
  }
}
