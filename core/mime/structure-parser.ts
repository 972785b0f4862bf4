// Streaming MIME structure parser: bytes in, MessageStructure out (ENVELOPE, BODYSTRUCTURE fields
// and exact byte offsets of every part), parsed once while the message streams to the blob store.
// Memory holds only the header being read, a boundary-sized line prefix and the finished tree.
//
// Line model: a line ends at LF (a CR before it belongs to the line break); bare-LF mail works the
// same. RFC 2046 §5.1.1: the line break before a delimiter line belongs to the delimiter, so a part
// body ends there. Bad input never throws: broken structure becomes opaque text (see limits below).
import type { Envelope, MessageStructure, MimePart } from '../mail/message-structure.js';
import { CONTENT_FIELD_NAMES, readContentFields, type ContentFields, type DefaultContentType } from './content-fields.js';
import { decodeExtendedValue } from './encoded-words.js';
import { buildEnvelope, ENVELOPE_FIELD_NAMES } from './envelope.js';
import { firstHeaderValues } from './header-block.js';

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;

/** RFC 2046 §5.1.1 caps boundaries at 70 characters; real senders exceed it a little, hostile ones a lot. */
const MAX_BOUNDARY_BYTES = 200;
/** RFC 2045 §6.4 / RFC 2046 §5.2.1: only an identity encoding lets us parse the encapsulated message. */
const IDENTITY_ENCODINGS = new Set(['7bit', '8bit', 'binary']);
const MESSAGE_FIELD_NAMES: ReadonlySet<string> = new Set([...CONTENT_FIELD_NAMES, ...ENVELOPE_FIELD_NAMES]);
const NO_FIELDS: ReadonlyMap<string, string> = new Map();

/** Named limits on untrusted input; past them the rest is opaque body, never an error. */
export interface StructureLimits {
  /** Multipart and message containers nested deeper than this are opaque (deep recursion attacks). */
  readonly maxDepth: number;
  /** Parts beyond this count are not split out (zip-bomb style trees of tiny parts). */
  readonly maxParts: number;
  /** Header bytes kept per part for parsing; the header still ends at its blank line, the rest is ignored. */
  readonly maxHeaderBytes: number;
}

export const DEFAULT_STRUCTURE_LIMITS: StructureLimits = { maxDepth: 50, maxParts: 5000, maxHeaderBytes: 256 * 1024 };

export interface StructureParser {
  /** Feeds the next bytes of the message, in order; chunks may split anywhere. */
  write(chunk: Uint8Array): void;
  /** Ends the input and returns the structure. */
  end(): MessageStructure;
  /** The top-level header bytes (up to maxHeaderBytes) once it is complete, for filters and authentication. */
  readonly topHeader: Buffer | null;
  readonly bytesSeen: number;
}

type FrameKind = 'header' | 'leaf' | 'multipart' | 'message';

/** A part still open: its header being read, or its body running until a delimiter or the end. */
class Frame {
  kind: FrameKind = 'header';
  bodyStart = -1;
  lfAtBodyStart = 0;
  content: ContentFields | null = null;
  envelope: Envelope | null = null;
  /** `--boundary` while this multipart's delimiter is recognised (until its close delimiter). */
  delimiter: Buffer | null = null;
  readonly children: MimePart[] = [];
  encapsulated: { readonly envelope: Envelope; readonly root: MimePart } | null = null;

  constructor(
    readonly headerStart: number,
    readonly depth: number,
    readonly defaultType: DefaultContentType,
    readonly isMessageRoot: boolean,
  ) {}
}

/** A part whose content is not split further: text/plain, us-ascii, 7bit (also the raw fallback of delivery). */
export function opaqueText(start: number, end: number, lines: number): MimePart {
  return {
    headerStart: start,
    bodyStart: start,
    bodyEnd: end,
    type: 'text',
    subtype: 'plain',
    params: [['charset', 'us-ascii']],
    id: null,
    description: null,
    encoding: '7bit',
    sizeBytes: end - start,
    lines,
    md5: null,
    disposition: null,
    language: null,
    location: null,
  };
}

class MimeStructureParser implements StructureParser {
  private readonly limits: StructureLimits;
  private readonly stack: Frame[];
  private readonly rootFrame = new Frame(0, 0, 'text/plain', true);
  private readonly head = Buffer.allocUnsafe(MAX_BOUNDARY_BYTES + 4);
  /** The header being read. Only the innermost open part can be in its header, so one buffer serves all. */
  private header = Buffer.allocUnsafe(2048); // small enough for Node's shared pool; grows on demand
  private headerLength = 0;
  private headLength = 0;
  private lineStart = 0;
  private lineLength = 0;
  private lineFirst = -1;
  /** The last content byte of the current line (-1 when absent): a CR there belongs to the line break. */
  private lastByte = -1;
  /** LFs before lineStart. */
  private lfCount = 0;
  /** Length of the line break that ended the previous line (0, 1 or 2 bytes). */
  private previousBreak = 0;
  private activeDelimiters = 0;
  private partCount = 1;
  private pendingChildOf: Frame | null = null;
  private result: MessageStructure | null = null;
  private rootPart: MimePart | null = null;
  private rootEnvelope: Envelope | null = null;
  topHeader: Buffer | null = null;
  bytesSeen = 0;

  constructor(limits: Partial<StructureLimits>) {
    this.limits = { ...DEFAULT_STRUCTURE_LIMITS, ...limits };
    this.stack = [this.rootFrame];
  }

  write(input: Uint8Array): void {
    if (this.result) throw new Error('structure parser: write() after end()');
    if (input.length === 0) return;
    const chunk = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const contentEnd = lf === -1 ? chunk.length : lf;
      this.takeContent(chunk, start, contentEnd, lf !== -1);
      if (lf === -1) break;
      this.endLine(false);
      start = lf + 1;
    }
    this.bytesSeen += chunk.length;
  }

  end(): MessageStructure {
    if (this.result) return this.result;
    if (this.lineLength > 0) this.endLine(true);
    while (this.stack.length > 0) this.closeTop(this.bytesSeen, this.lfCount);
    const root = this.rootPart ?? opaqueText(0, 0, 0);
    this.result = { envelope: this.rootEnvelope ?? buildEnvelope(NO_FIELDS), root };
    return this.result;
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** Line content bytes [start, end) of chunk; `withBreak` when the LF at `end` follows. */
  private takeContent(chunk: Buffer, start: number, end: number, withBreak: boolean): void {
    const length = end - start;
    if (length > 0) {
      if (this.lineLength === 0) this.lineFirst = chunk[start] ?? -1;
      if (this.lineFirst === DASH && this.activeDelimiters > 0 && this.headLength < this.head.length) {
        const take = Math.min(length, this.head.length - this.headLength);
        chunk.copy(this.head, this.headLength, start, start + take);
        this.headLength += take;
      }
      this.lastByte = chunk[end - 1] ?? -1;
      this.lineLength += length;
    }
    if (this.top()?.kind === 'header') this.keepHeaderBytes(chunk, start, withBreak ? end + 1 : end);
  }

  private keepHeaderBytes(chunk: Buffer, start: number, end: number): void {
    const stop = Math.min(end, start + this.limits.maxHeaderBytes - this.headerLength);
    if (stop <= start) return;
    const needed = this.headerLength + stop - start;
    if (needed > this.header.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(needed, this.header.length * 2), this.limits.maxHeaderBytes));
      this.header.copy(grown, 0, 0, this.headerLength);
      this.header = grown;
    }
    chunk.copy(this.header, this.headerLength, start, stop);
    this.headerLength = needed;
  }

  private endLine(atEnd: boolean): void {
    const owner = this.lineFirst === DASH && this.activeDelimiters > 0 ? this.matchDelimiter() : null;
    const nextLineStart = this.lineStart + this.lineLength + (atEnd ? 0 : 1);
    if (owner?.delimiter) {
      const delimiterLength = owner.delimiter.length;
      const closes =
        this.headLength >= delimiterLength + 2 && this.head[delimiterLength] === DASH && this.head[delimiterLength + 1] === DASH;
      const bodyEnd = this.lineStart - this.previousBreak;
      const lfAtBodyEnd = this.lfCount - (this.previousBreak > 0 ? 1 : 0);
      while (this.top() !== owner) this.closeTop(bodyEnd, lfAtBodyEnd);
      if (closes) {
        // RFC 2046 §5.1.1: after the close delimiter comes the epilogue; the delimiter is spent.
        owner.delimiter = null;
        this.activeDelimiters--;
      } else {
        this.pendingChildOf = owner;
      }
    } else {
      const frame = this.top();
      const blank = this.lineLength === 0 || (this.lineLength === 1 && this.lastByte === CR);
      if (frame?.kind === 'header' && blank && !atEnd) this.finishHeader(frame, nextLineStart, this.lfCount + 1, true);
    }
    if (atEnd) return;
    this.lfCount++;
    this.previousBreak = this.lastByte === CR ? 2 : 1;
    this.lineStart = nextLineStart;
    this.lineLength = 0;
    this.lineFirst = this.lastByte = -1;
    this.headLength = 0;
    if (this.pendingChildOf) this.openChild(this.pendingChildOf, nextLineStart);
  }

  /** RFC 2046 §5.1.2: innermost boundaries first; the longest matching one wins (as Dovecot does). */
  private matchDelimiter(): Frame | null {
    let best: Frame | null = null;
    if (this.head[1] !== DASH) return best;
    for (let index = this.stack.length - 1; index >= 0; index--) {
      const frame = this.stack[index];
      const delimiter = frame?.delimiter;
      if (!frame || !delimiter || delimiter.length > this.headLength || !this.headStartsWith(delimiter)) continue;
      if (!best?.delimiter || delimiter.length > best.delimiter.length) best = frame;
    }
    return best;
  }

  private headStartsWith(delimiter: Buffer): boolean {
    // Short delimiters: a plain loop beats the native call. Long ones (hostile look-alikes): memcmp.
    if (delimiter.length > 24) return this.head.compare(delimiter, 2, delimiter.length, 2, delimiter.length) === 0;
    for (let index = 2; index < delimiter.length; index++) if (this.head[index] !== delimiter[index]) return false;
    return true;
  }

  private openChild(owner: Frame, headerStart: number): void {
    this.pendingChildOf = null;
    if (this.partCount >= this.limits.maxParts) {
      // Past the part limit no delimiter is recognised any more: everything left is body text.
      for (const frame of this.stack) frame.delimiter = null;
      this.activeDelimiters = 0;
      return;
    }
    this.partCount++;
    // RFC 2046 §5.1.5: in multipart/digest the default type of a part is message/rfc822.
    const defaultType = owner.content?.subtype === 'digest' ? 'message/rfc822' : 'text/plain';
    this.stack.push(new Frame(headerStart, owner.depth + 1, defaultType, false));
  }

  /** The header of `frame` is complete; `open` says whether its body may still hold parts. */
  private finishHeader(frame: Frame, bodyStart: number, lfAtBodyStart: number, open: boolean): void {
    const bytes = this.header.subarray(0, this.headerLength);
    this.headerLength = 0;
    if (frame === this.rootFrame) this.topHeader = Buffer.from(bytes);
    const values = firstHeaderValues(bytes, frame.isMessageRoot ? MESSAGE_FIELD_NAMES : CONTENT_FIELD_NAMES);
    const content = readContentFields(values, frame.defaultType);
    frame.content = content;
    if (frame.isMessageRoot) frame.envelope = buildEnvelope(values);
    frame.bodyStart = bodyStart;
    frame.lfAtBodyStart = lfAtBodyStart;
    frame.kind = 'leaf';
    if (!open || frame.depth >= this.limits.maxDepth || this.partCount >= this.limits.maxParts) return;
    if (content.type === 'multipart') {
      const boundary = boundaryOf(content);
      const delimiter = Buffer.from(`--${boundary}`, 'utf8');
      if (boundary.length > 0 && delimiter.length <= MAX_BOUNDARY_BYTES + 2) {
        frame.kind = 'multipart';
        frame.delimiter = delimiter;
        this.activeDelimiters++;
      }
    } else if (isMessageType(content) && IDENTITY_ENCODINGS.has(content.encoding)) {
      frame.kind = 'message';
      this.partCount++;
      this.stack.push(new Frame(bodyStart, frame.depth + 1, 'text/plain', true));
    }
  }

  /** Closes the innermost open part with its body ending at `end`. */
  private closeTop(end: number, lfAtEnd: number): void {
    const frame = this.stack.pop();
    if (!frame) return;
    if (frame.kind === 'header') this.finishHeader(frame, Math.max(frame.headerStart, end), lfAtEnd, false);
    if (frame.delimiter) this.activeDelimiters--;
    const bodyEnd = Math.max(frame.bodyStart, end);
    const sizeBytes = bodyEnd - frame.bodyStart;
    // RFC 3501 §7.4.2 body lines: the line breaks inside the body, as Dovecot, Cyrus and UW count them
    // (a last line without one is not counted; the break before a delimiter is not the part's).
    const lines = sizeBytes === 0 ? 0 : lfAtEnd - frame.lfAtBodyStart;
    const part = this.buildPart(frame, bodyEnd, lines);
    const parent = this.top();
    if (!parent) {
      this.rootPart = part;
      this.rootEnvelope = frame.envelope;
    } else if (parent.kind === 'message') {
      parent.encapsulated = { envelope: frame.envelope ?? buildEnvelope(NO_FIELDS), root: part };
    } else {
      parent.children.push(part);
    }
  }

  private buildPart(frame: Frame, bodyEnd: number, lines: number): MimePart {
    const content = frame.content ?? readContentFields(NO_FIELDS, frame.defaultType);
    // Opaque containers (no boundary found, limits, encoded message/rfc822) still get a well-formed
    // tree: their body is one header-less text part, so BODYSTRUCTURE and BODY[n] stay valid.
    const opaque = (): MimePart => opaqueText(frame.bodyStart, bodyEnd, lines);
    const children = content.type === 'multipart' ? (frame.children.length > 0 ? frame.children : [opaque()]) : undefined;
    const message = isMessageType(content) ? (frame.encapsulated ?? { envelope: buildEnvelope(NO_FIELDS), root: opaque() }) : undefined;
    // Listed field by field: a spread of the content fields costs more than the rest of the part.
    return {
      headerStart: frame.headerStart,
      bodyStart: frame.bodyStart,
      bodyEnd,
      type: content.type,
      subtype: content.subtype,
      params: content.params,
      id: content.id,
      description: content.description,
      encoding: content.encoding,
      sizeBytes: bodyEnd - frame.bodyStart,
      lines,
      md5: content.md5,
      disposition: content.disposition,
      language: content.language,
      location: content.location,
      ...(children && { children }),
      ...(message && { message }),
    };
  }
}

/** The boundary parameter as bytes to match; an RFC 2231 extended form is decoded (never RFC 2047: `=?` is legal in a boundary). */
function boundaryOf(content: ContentFields): string {
  const plain = content.params.find(([name]) => name === 'boundary');
  if (plain) return plain[1];
  const extended = content.params.find(([name]) => name === 'boundary*');
  return extended ? decodeExtendedValue(extended[1]) : '';
}

/** RFC 2046 §5.2.1 message/rfc822 and RFC 6532 §3.5 message/global encapsulate a whole message. */
function isMessageType(content: ContentFields): boolean {
  return content.type === 'message' && (content.subtype === 'rfc822' || content.subtype === 'global');
}

export function createStructureParser(limits: Partial<StructureLimits> = {}): StructureParser {
  return new MimeStructureParser(limits);
}

/** Parses a whole message from a byte stream (e.g. a blob read). */
export async function parseMessageStructure(
  source: AsyncIterable<Uint8Array>,
  limits: Partial<StructureLimits> = {},
): Promise<MessageStructure> {
  const parser = createStructureParser(limits);
  for await (const chunk of source) parser.write(chunk);
  return parser.end();
}
