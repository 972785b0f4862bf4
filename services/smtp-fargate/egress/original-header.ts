// The header section of a spooled message, read from the blob store only as far as the blank line:
// DSNs quote it (RFC 6522 text/rfc822-headers) and egress looks for `TLS-Required: No` in it.
import { headerValue, parseHeaderBlock } from '../../../core/mime/index.js';
import type { BlobStore } from '../../../core/ports/blob-store.js';

/** Headers larger than this are cut there: nobody legitimate needs more, and memory stays bounded. */
const MAX_HEADER_BYTES = 256 * 1024;

export async function readOriginalHeader(blobs: Pick<BlobStore, 'get'>, blobKey: string): Promise<string> {
  let header = Buffer.alloc(0);
  const stream = await blobs.get(blobKey);
  for await (const chunk of stream) {
    header = Buffer.concat([header, chunk as Uint8Array]);
    const end = header.indexOf('\r\n\r\n');
    if (end >= 0 || header.length > MAX_HEADER_BYTES) {
      stream.destroy();
      return header.subarray(0, end >= 0 ? end + 2 : header.length).toString('utf8');
    }
  }
  return header.toString('utf8');
}

/** RFC 8689 §5: `TLS-Required: No` (the only value defined; compared case-insensitively). */
export function saysTlsNotRequired(header: string): boolean {
  return headerValue(parseHeaderBlock(Buffer.from(header)), 'TLS-Required')?.toLowerCase() === 'no';
}
