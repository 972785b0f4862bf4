// Delivery reads the message twice: once for authentication (DKIM needs all of it before the
// Authentication-Results field can be written), then to write the final blob (and for forwards and
// bounces). Where a blob read is a network round trip (S3), the spool is read once and teed to a
// local scratch file (Lambda's /tmp) for the later passes; where the blob store is local and cheap to
// read, the spool blob itself is read again and no copy is written. Memory stays flat either way.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface ScratchCopy {
  read(): AsyncIterable<Uint8Array>;
  remove(): Promise<void>;
}

/**
 * Hands the spool to `consume` and returns a way to read the message again: a scratch file in
 * `scratchDir`, or, when it is null, `reread` (the spool blob opened again).
 */
export async function readKeepingCopy<T>(
  spool: Readable,
  scratchDir: string | null,
  reread: () => Promise<Readable>,
  consume: (stream: Readable) => Promise<T>,
): Promise<{ copy: ScratchCopy; result: T }> {
  if (scratchDir !== null) return teeToScratch(spool, scratchDir, consume);
  const result = await consume(spool);
  const copy: ScratchCopy = {
    read: async function* () {
      yield* await reread();
    },
    remove: async () => undefined,
  };
  return { copy, result };
}

/** Tees `source` into a scratch file and into `consume`; resolves when both are done. */
async function teeToScratch<T>(source: Readable, scratchDir: string, consume: (stream: Readable) => Promise<T>): Promise<{ copy: ScratchCopy; result: T }> {
  const path = join(scratchDir, `yubin-delivery-${randomUUID()}.eml`);
  const copy: ScratchCopy = {
    read: () => createReadStream(path, { highWaterMark: 64 * 1024 }),
    remove: () => rm(path, { force: true }),
  };
  const branch = new PassThrough({ highWaterMark: 64 * 1024 });
  const toFile = createWriteStream(path);
  source.on('error', (error) => branch.destroy(error));
  source.pipe(branch); // pipe() to two destinations waits for the slower one (backpressure)
  try {
    const [result] = await Promise.all([consume(branch), pipeline(source, toFile)]);
    return { copy, result };
  } catch (error) {
    branch.destroy();
    source.destroy();
    await copy.remove();
    throw error;
  }
}
