// The spooled message is read from the blob store exactly once: while the authentication pass consumes
// it, a copy goes to local scratch disk (Lambda's /tmp, or the data dir locally) for the second pass
// that writes the final blob, and for forwarding and bounces. Memory stays flat for any message size.
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

/** Tees `source` into a scratch file and into `consume`; resolves when both are done. */
export async function teeToScratch<T>(
  source: Readable,
  scratchDir: string,
  consume: (stream: Readable) => Promise<T>,
): Promise<{ copy: ScratchCopy; result: T }> {
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
