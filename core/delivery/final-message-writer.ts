// Writes the final message blob — our trace fields prepended to the spooled message — and parses its
// MIME structure in the same pass, so every offset is an offset of the blob IMAP will read. If the
// parser gives up on malformed MIME, the message is still stored, with a one-part raw structure.
import type { MessageStructure } from '../mail/message-structure.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { HeaderField } from './header-fields.js';
import { RawMessageScanner } from './raw-message-structure.js';

/** A push parser of RFC 5322/MIME bytes (core/mime provides the real one). */
export interface StreamingStructureParser {
  write(chunk: Uint8Array): void;
  /** The structure of everything written; throws when the input is not parseable MIME. */
  end(): MessageStructure;
}

export type StructureParserFactory = () => StreamingStructureParser;

export interface FinalMessage {
  readonly blobKey: string;
  readonly sizeBytes: number;
  readonly structure: MessageStructure;
  /** False when the MIME parser failed and the raw one-part structure was stored instead. */
  readonly parsedAsMime: boolean;
}

export interface FinalMessageInput {
  /** Complete header fields, each ending in CRLF, to put in front of the message. */
  readonly prefix: string;
  readonly message: AsyncIterable<Uint8Array>;
  /** The message's own header fields (from authentication), for the raw fallback's ENVELOPE. */
  readonly headers: readonly HeaderField[];
}

export async function writeFinalMessage(
  blobs: BlobStore,
  createParser: StructureParserFactory,
  input: FinalMessageInput,
): Promise<FinalMessage> {
  let parser: StreamingStructureParser | null = createParser();
  const scanner = new RawMessageScanner();
  const feed = (chunk: Uint8Array) => {
    scanner.write(chunk);
    if (parser === null) return;
    try {
      parser.write(chunk);
    } catch {
      parser = null; // malformed MIME: keep storing, fall back to the raw structure
    }
  };
  async function* content(): AsyncIterable<Uint8Array> {
    const prefix = Buffer.from(input.prefix);
    feed(prefix);
    yield prefix;
    for await (const chunk of input.message) {
      feed(chunk);
      yield chunk;
    }
  }
  // Mailbox entries appended next reference it: the first durable one makes it durable too.
  const stored = await blobs.put(content(), { prefix: 'msg/', durableWithNextWrite: true });

  let structure: MessageStructure | null = null;
  if (parser !== null) {
    try {
      structure = (parser as StreamingStructureParser).end();
    } catch {
      structure = null;
    }
  }
  return {
    blobKey: stored.key,
    sizeBytes: stored.sizeBytes,
    structure: structure ?? scanner.structure(input.headers),
    parsedAsMime: structure !== null,
  };
}
