// The pipe between a session writing a message and the blob store reading it: an async iterable
// of chunks with a byte limit for backpressure. A PassThrough stream did this job at about twice
// the cost per message (two stream states, an async iterator and end-of-stream listeners), on
// the accept path's event loop.

export class ChunkChannel implements AsyncIterable<Uint8Array> {
  readonly #chunks: Uint8Array[] = [];
  #bufferedBytes = 0;
  #ended = false;
  /** Set by fail() or by the reader stopping early; later pushes are dropped. */
  #closed: { readonly error: Error | null } | null = null;
  #wakeReader: (() => void) | null = null;
  #wakeWriters: (() => void)[] = [];

  /** Beyond this many unread bytes, `push` returns false: wait for `room()` before the next one. */
  constructor(private readonly highWaterBytes: number) {}

  /** Queues `chunk` for the reader; false when the writer should wait for `room()`. */
  push(chunk: Uint8Array): boolean {
    if (this.#closed === null && !this.#ended) {
      this.#chunks.push(chunk);
      this.#bufferedBytes += chunk.byteLength;
      this.#wake();
    }
    return this.#bufferedBytes < this.highWaterBytes;
  }

  /** Resolves once the reader has taken enough to go below the limit, or stopped reading. */
  room(): Promise<void> {
    if (this.#bufferedBytes < this.highWaterBytes || this.#closed !== null) return Promise.resolve();
    return new Promise((resolve) => this.#wakeWriters.push(resolve));
  }

  /** No more chunks: the reader finishes after the queued ones. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** The writer gave up: the reader throws `error` instead of finishing. */
  fail(error: Error): void {
    this.#close(error);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        if (this.#closed?.error) throw this.#closed.error;
        const chunk = this.#chunks.shift();
        if (chunk !== undefined) {
          this.#bufferedBytes -= chunk.byteLength;
          if (this.#bufferedBytes < this.highWaterBytes) this.#releaseWriters();
          yield chunk;
        } else if (this.#ended) {
          return;
        } else {
          await new Promise<void>((resolve) => (this.#wakeReader = resolve));
        }
      }
    } finally {
      this.#close(null); // finished, failed or abandoned (return() from a reader over its limit)
    }
  }

  #close(error: Error | null): void {
    this.#closed ??= { error };
    this.#chunks.length = 0;
    this.#bufferedBytes = 0;
    this.#wake();
    this.#releaseWriters();
  }

  #wake(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = null;
    wake?.();
  }

  #releaseWriters(): void {
    const writers = this.#wakeWriters;
    this.#wakeWriters = [];
    for (const release of writers) release();
  }
}
