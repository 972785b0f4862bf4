// RFC 8601 §5: a receiver MUST remove or rename Authentication-Results fields that claim its own
// authserv-id before adding its own, or a sender could forge "dkim=pass" from us. We rename them
// (`X-Forged-Authentication-Results`), keeping the evidence, as the message streams by.

const MAX_HEADER_BYTES = 256 * 1024; // beyond this the header is passed through as is (cf. core/mime limits)
const RENAMED = 'X-Forged-Authentication-Results';

/** The end of the header section (index after the blank line), or -1 when not yet seen. */
function headerEnd(bytes: Buffer): number {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return -1;
  if (crlf === -1) return lf + 2;
  if (lf === -1) return crlf + 4;
  return Math.min(crlf + 4, lf + 2);
}

function renameForged(header: string, authServId: string): string {
  const wanted = authServId.toLowerCase();
  // A field starts at the beginning of a line that is not a continuation (RFC 5322 §2.2.3).
  return header.replace(/^Authentication-Results:([ \t]*(?:\([^)]*\)[ \t]*)*)([^;\s(]+)/gim, (field, space: string, id: string) =>
    id.toLowerCase() === wanted ? `${RENAMED}:${space}${id}` : field,
  );
}

/** Passes the message through, renaming forged Authentication-Results fields in its header. */
export async function* withoutForgedAuthenticationResults(
  message: AsyncIterable<Uint8Array>,
  authServId: string,
): AsyncIterable<Uint8Array> {
  let pending: Buffer | null = Buffer.alloc(0);
  for await (const chunk of message) {
    if (pending === null) {
      yield chunk;
      continue;
    }
    pending = pending.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([pending, chunk]);
    const end = headerEnd(pending);
    if (end === -1 && pending.length <= MAX_HEADER_BYTES) continue;
    const split = end === -1 ? 0 : end;
    if (split > 0) yield withoutForged(pending.subarray(0, split), authServId);
    yield pending.subarray(split);
    pending = null;
  }
  if (pending !== null && pending.length > 0) yield withoutForged(pending, authServId);
}

/** The header section with forged fields renamed; the same bytes when there is nothing to rename. */
function withoutForged(header: Buffer, authServId: string): Buffer {
  // latin1 maps bytes 1:1, so 8-bit header bytes come back out unchanged.
  const text = header.toString('latin1');
  const renamed = renameForged(text, authServId);
  return renamed === text ? header : Buffer.from(renamed, 'latin1');
}
