// A lean Readable over an open file descriptor, for FileBlobStore.get. fs.createReadStream costs
// several times more CPU per message (FileHandle promises, a 64 KiB buffer per chunk whatever the
// file's size, more listeners and ticks); a FETCH 1:* BODY[] or a POP3 download opens thousands of
// small files, so each one is read here with plain fs.read callbacks into buffers sized to what is left.
import { closeSync, read } from 'node:fs';
import { Readable } from 'node:stream';

/** Bytes per read: most messages fit in one read, and a paused stream holds at most this much. */
export const FILE_READ_CHUNK_BYTES = 128 * 1024;

export class FileRangeReadable extends Readable {
  #position: number;

  /** Reads `[start, end)` of `fd` (end null: to the end of the file) and closes `fd` when done or destroyed. */
  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number | null,
  ) {
    super({ highWaterMark: FILE_READ_CHUNK_BYTES });
    this.#position = start;
  }

  override _read(): void {
    const wanted = this.end === null ? FILE_READ_CHUNK_BYTES : Math.min(FILE_READ_CHUNK_BYTES, this.end - this.#position);
    if (wanted <= 0) {
      this.push(null);
      return;
    }
    const buffer = Buffer.allocUnsafe(wanted);
    read(this.fd, buffer, 0, wanted, this.#position, (error, bytesRead) => {
      if (error) {
        this.destroy(error);
        return;
      }
      // 0 bytes: the end of the file (a range past the end is clamped to the blob's size).
      if (bytesRead === 0) {
        this.push(null);
        return;
      }
      this.#position += bytesRead;
      this.push(bytesRead === wanted ? buffer : buffer.subarray(0, bytesRead));
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Closing a read-only descriptor of a local file does no I/O, so it is done inline: a trip
    // through the libuv thread pool costs more than the syscall (one per message sent).
    try {
      closeSync(this.fd);
    } catch {
      // EBADF cannot happen (the descriptor is ours and closed once); nothing else is actionable.
    }
    callback(error);
  }
}
