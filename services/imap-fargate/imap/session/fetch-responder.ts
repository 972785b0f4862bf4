// Builds FETCH responses (RFC 3501 §7.4.2, RFC 9051 §7.5.2) from index rows: metadata from the
// summary, ENVELOPE as the index cached it serialised, BODYSTRUCTURE from the cached structure, body
// sections as ranged blob reads streamed straight to the client.
import type { Readable } from 'node:stream';
import { formatSection, type FetchItem } from '../protocol/fetch-items.js';
import { imapDateTime } from '../protocol/imap-strings.js';
import { formatBodyStructure } from '../protocol/message-format.js';
import { headerFieldsSubset } from '../../../../core/mime/index.js';
import { binaryPart, BinaryResponseParts, type BinaryPart } from './binary-fetch.js';
import { sectionSource } from './body-sections.js';
import { envelopeText, structureOf, type LoadedMessage, type MessageDetail } from './message-batches.js';
import type { ImapSession } from './session.js';

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The least the index must load for these items: ENVELOPE alone needs only its cached serialisation. */
export function fetchDetail(items: readonly FetchItem[]): MessageDetail {
  const needsStructure = items.some((item) => item.kind === 'bodystructure' || item.kind === 'body' || ((item.kind === 'section' || item.kind === 'binary.size') && (item.section.part.length > 0 || item.section.text !== 'all')));
  if (needsStructure) return 'structure';
  return items.some((item) => item.kind === 'envelope') ? 'imap-envelope' : 'summary';
}

/** True when an item reads the whole message (BODY[], RFC822): worth opening the blob ahead of time. */
export function readsWholeMessage(items: readonly FetchItem[]): boolean {
  return items.some((item) => item.kind === 'section' && !item.binary && item.section.part.length === 0 && item.section.text === 'all' && item.partial === null);
}

/** An item answered from the index row alone: nothing to read or wait for. */
type IndexedItem = Exclude<FetchItem, { kind: 'section' | 'binary.size' }>;

/** True when every item comes from the index row, so a whole batch is formatted without awaiting anything. */
export function answeredFromIndex(items: readonly FetchItem[]): items is readonly IndexedItem[] {
  return items.every((item) => item.kind !== 'section' && item.kind !== 'binary.size');
}

/**
 * One FETCH response of index-only items. A header sync is 10,000 of these: one string built by
 * concatenation, the ENVELOPE as the index cached it.
 */
export function formatIndexedResponse(session: ImapSession, sequence: number, message: LoadedMessage, items: readonly IndexedItem[]): string {
  let text = `* ${sequence} FETCH (`;
  for (let i = 0; i < items.length; i++) text += (i === 0 ? '' : ' ') + indexedItem(session, message, items[i] as IndexedItem);
  return text + ')\r\n';
}

function indexedItem(session: ImapSession, message: LoadedMessage, item: IndexedItem): string {
  switch (item.kind) {
    case 'uid':
      return `UID ${message.uid}`;
    case 'flags':
      return `FLAGS ${session.flagList(message.uid, message.flags)}`;
    case 'internaldate':
      return `INTERNALDATE ${imapDateTime(message.internalDate)}`;
    case 'rfc822.size':
      return `RFC822.SIZE ${message.sizeBytes}`;
    case 'modseq':
      return `MODSEQ (${message.modseq})`;
    case 'envelope':
      return `ENVELOPE ${envelopeText(message, session.utf8)}`;
    case 'bodystructure':
    case 'body':
      return `${item.kind.toUpperCase()} ${formatBodyStructure(structureOf(message).root, item.kind === 'bodystructure', { utf8: session.utf8 })}`;
  }
}

/**
 * Writes one FETCH response. `opened` is the whole blob already being opened by the caller's
 * read-ahead (fetch.ts), so file or S3 latency overlaps with sending the previous message.
 */
export async function writeFetchResponse(session: ImapSession, sequence: number, message: LoadedMessage, items: readonly FetchItem[], opened?: Promise<Readable>): Promise<void> {
  let readAhead = opened;
  const io = session.io;
  const structure = 'structure' in message ? message.structure : null;
  // BINARY parts are resolved first: an unknown encoding must fail before this response starts (RFC 3516 §4.2).
  const binaryParts = new Map<FetchItem, BinaryPart | null>();
  for (const item of items) {
    if (item.kind === 'binary.size' || (item.kind === 'section' && item.binary)) binaryParts.set(item, binaryPart(message.blobKey, structure, item.section, message.sizeBytes));
  }
  // Each BINARY part is decoded once for this response, however many items name it.
  const binary = binaryParts.size > 0 ? new BinaryResponseParts(session.binary) : null;
  let text = `* ${sequence} FETCH (`;
  let first = true;
  const add = (part: string) => {
    text += (first ? '' : ' ') + part;
    first = false;
  };
  for (const item of items) {
    switch (item.kind) {
      case 'binary.size': {
        const part = binaryParts.get(item) ?? null;
        add(`BINARY.SIZE[${formatSection(item.section)}] ${part === null ? 0 : await binary!.size(part)}`);
        break;
      }
      case 'section': {
        if (item.binary) {
          const part = binaryParts.get(item) ?? null;
          if (part === null) add(`${binaryLabel(item)} ""`); // no such part: empty, as BODY[] answers
          else {
            text = await writeBinary(session, binary!, text + (first ? '' : ' '), item, part);
            first = true;
          }
          break;
        }
        const source = structure === null ? { kind: 'range' as const, start: 0, end: message.sizeBytes } : sectionSource(structure, item.section, message.sizeBytes);
        const label = item.name === 'BODY' ? `BODY[${formatSection(item.section)}]` : item.name;
        const origin = item.partial === null ? '' : `<${item.partial.offset}>`;
        if (source.kind === 'empty') {
          add(`${label}${origin} ""`);
          break;
        }
        let start = source.start;
        let end = source.end;
        let filtered: Buffer | null = null;
        if (source.kind === 'header-fields') {
          filtered = headerFieldsSubset(await readAll(await session.deps.storage.blobs.get(message.blobKey, { start, end })), source.fields, source.not);
          start = 0;
          end = filtered.length;
        }
        if (item.partial !== null) {
          start = Math.min(end, start + item.partial.offset);
          if (item.partial.length !== null) end = Math.min(end, start + item.partial.length);
        }
        add(`${label}${origin} {${end - start}}\r\n`);
        first = true; // the literal ends the line; the next item follows directly after a space
        io.write(text);
        text = '';
        if (filtered !== null) io.write(filtered.subarray(start, end));
        else if (start === 0 && end === message.sizeBytes) {
          const stream = readAhead ?? session.deps.storage.blobs.get(message.blobKey, { start, end });
          readAhead = undefined;
          await io.pipe(await stream);
        }
        else if (end > start) await io.pipe(await session.deps.storage.blobs.get(message.blobKey, { start, end }));
        text = ' ';
        first = true;
        break;
      }
      default:
        add(indexedItem(session, message, item));
    }
  }
  io.write(text === ' ' ? ')\r\n' : `${text})\r\n`);
  if (readAhead !== undefined) void readAhead.then((stream) => stream.destroy(), () => undefined);
}

type SectionItem = Extract<FetchItem, { kind: 'section' }>;

/** `BINARY[1.2]<origin>`: the origin as for BODY (RFC 3516 §4.2; RFC 9051 §7.5.2). */
function binaryLabel(item: SectionItem): string {
  return `BINARY[${formatSection(item.section)}]${item.partial === null ? '' : `<${item.partial.offset}>`}`;
}

/**
 * BINARY[part]<partial>: a literal of the decoded content, literal8 `~{n}` when it holds NUL (RFC 3516
 * §4.3), after `prefix` (the response so far). Returns the text that continues the response line.
 */
async function writeBinary(session: ImapSession, binary: BinaryResponseParts, prefix: string, item: SectionItem, part: BinaryPart): Promise<string> {
  const content = await binary.content(part, item.partial?.offset ?? 0, item.partial?.length ?? null);
  session.io.write(`${prefix}${binaryLabel(item)} ${content.hasNul ? '~' : ''}{${content.sizeBytes}}\r\n`);
  if ('held' in content) for (const chunk of content.held) session.io.write(chunk);
  else await session.io.pipe(content.stream);
  return ' ';
}
