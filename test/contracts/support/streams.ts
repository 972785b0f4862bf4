// Stream helpers for the contract suite.
import type { Readable } from 'node:stream';

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Yields `data` in chunks of `chunkBytes`, like a socket would. */
export async function* chunked(data: Uint8Array, chunkBytes = 16_384): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += chunkBytes) yield data.subarray(offset, offset + chunkBytes);
}

/** Yields `data` then fails, like a client that drops the connection mid-DATA. */
export async function* failingAfter(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
  throw new Error('client went away');
}
