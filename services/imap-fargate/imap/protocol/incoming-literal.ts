// An APPEND message literal as it arrives (RFC 3501 §6.3.11, RFC 7888, RFC 3516 literal8): the framer
// pushes bytes in, the session reads them as an async stream and decides first whether it wants them
// (`+` continuation, or a refusal the client sees instead). Pure: no sockets; the network shell only
// pauses the socket while `bufferedBytes` is high and resumes it on `onDrain`.
import type { FramedCommand } from './command-framer.js';

/** The connection went away (or the framer gave up) before the literal was complete. */
export class LiteralAbortedError extends Error {
  override readonly name = 'LiteralAbortedError';
}

/** Consumed bytes the literal may hold before the reader catches up; above it the socket is paused. */
export const LITERAL_HIGH_WATER_BYTES = 1 << 20;

type Decision = 'pending' | 'accepted' | 'refused';

export class IncomingLiteral implements AsyncIterable<Buffer> {
  private chunks: Buffer[] = [];
  private received = 0;
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private decision: Decision = 'pending';
  private readonly tailPromise: Promise<FramedCommand>;
  private settleTail!: { resolve: (tail: FramedCommand) => void; reject: (error: Error) => void };
  bufferedBytes = 0;
  /** Set by the network shell: called when a paused reader has drained the buffer below the mark. */
  onDrain: (() => void) | null = null;
  /** Set by the framer: a synchronizing literal was refused before its `+`, so it will never come. */
  onAbandon: (() => void) | null = null;

  constructor(
    /** Announced octets. */
    readonly size: number,
    /** `{n}` (wait for `+`) rather than `{n+}` (RFC 7888). */
    readonly synchronizing: boolean,
    /** `~{n}` literal8 (RFC 3516 §4.4): may hold NUL. */
    readonly binary: boolean,
  ) {
    this.tailPromise = new Promise((resolve, reject) => (this.settleTail = { resolve, reject }));
    // A tail that fails (disconnect, refusal) while nobody awaits it must not be an unhandled rejection.
    this.tailPromise.catch(() => undefined);
  }

  // --- framer side ---

  push(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.decision === 'refused') return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    this.notify();
  }

  get complete(): boolean {
    return this.received >= this.size;
  }

  finish(): void {
    this.ended = true;
    this.notify();
  }

  /**
   * The rest of the command after the literal (normally an empty line, `)` after `UTF8 (`), or with
   * MULTIAPPEND the line announcing the next message, whose literal is the tail's `streamed`.
   */
  setTail(tail: FramedCommand): void {
    this.settleTail.resolve(tail);
  }

  failTail(error: Error): void {
    this.settleTail.reject(error);
  }

  abort(error: Error): void {
    if (!this.ended) this.failure = error;
    this.settleTail.reject(error);
    this.notify();
  }

  // --- session side ---

  /** The session wants the bytes: for a synchronizing literal it now sends `+` (RFC 3501 §7.5). */
  accept(): void {
    if (this.decision === 'pending') this.decision = 'accepted';
  }

  get accepted(): boolean {
    return this.decision === 'accepted';
  }

  get refused(): boolean {
    return this.decision === 'refused';
  }

  /**
   * The session will not store these bytes. A synchronizing literal not yet accepted will never be
   * sent (the client reads the tagged reply instead); any other is read to its end and dropped.
   * Resolves once the command is over for the framer.
   */
  refuse(): Promise<void> {
    const abandon = this.decision === 'pending' && this.synchronizing && !this.complete;
    this.decision = 'refused';
    this.chunks = [];
    this.bufferedBytes = 0;
    this.onDrain?.();
    if (abandon) this.onAbandon?.();
    // MULTIAPPEND (RFC 3502): the messages announced after this one go with it, so the command ends.
    return this.tailPromise.then(
      (tail) => tail.streamed?.refuse(),
      () => undefined,
    );
  }

  tail(): Promise<FramedCommand> {
    return this.tailPromise;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        this.bufferedBytes -= chunk.length;
        if (this.bufferedBytes < LITERAL_HIGH_WATER_BYTES / 2) this.onDrain?.();
        yield chunk;
        continue;
      }
      if (this.failure !== null) throw this.failure;
      if (this.ended || this.decision === 'refused') return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
