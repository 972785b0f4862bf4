// Splits the client byte stream into whole commands: a line, plus the literals it announces
// (RFC 3501 §4.3 `{n}` synchronizing, RFC 7888 `{n+}` LITERAL+), each with a named limit. Feeding it
// one byte at a time or the whole stream at once gives the same commands.

export interface FramerLimits {
  /** Longest command text outside literals; RFC 7162 §4 asks servers to accept at least 8,192 octets. */
  readonly maxLineBytes: number;
  /** Largest single literal: the message size limit, since APPEND carries a message as one literal. */
  readonly maxLiteralBytes: number;
}

/** A complete command: text pieces, each followed by the literal it announced (none after the last). */
export interface FramedCommand {
  readonly lines: readonly Buffer[];
  readonly literals: readonly Buffer[];
}

export type FramerEvent =
  | { readonly type: 'command'; readonly command: FramedCommand }
  /** A synchronizing literal was announced: the server must send a continuation request (`+`). */
  | { readonly type: 'continue' }
  /** The command broke a limit and was dropped; `fatal` when the rest of the stream can no longer be trusted. */
  | { readonly type: 'rejected'; readonly tag: string | null; readonly reason: 'line-too-long' | 'literal-too-large'; readonly fatal: boolean };

const LITERAL_AT_END = /\{(\d{1,20})(\+?)\}$/u;
const CR = 0x0d;
const LF = 0x0a;

export class CommandFramer {
  private line: Buffer[] = [];
  private lineBytes = 0;
  private totalLineBytes = 0;
  private lines: Buffer[] = [];
  private literals: Buffer[] = [];
  private literal: { remaining: number; chunks: Buffer[] } | null = null;
  /** After an oversized line, bytes are dropped until the next LF. */
  private discardingLine = false;

  constructor(private readonly limits: FramerLimits) {}

  push(chunk: Buffer): FramerEvent[] {
    const events: FramerEvent[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.literal !== null) {
        const take = Math.min(this.literal.remaining, chunk.length - offset);
        this.literal.chunks.push(chunk.subarray(offset, offset + take));
        this.literal.remaining -= take;
        offset += take;
        if (this.literal.remaining === 0) {
          this.literals.push(Buffer.concat(this.literal.chunks));
          this.literal = null;
        }
        continue;
      }
      const lf = chunk.indexOf(LF, offset);
      const end = lf < 0 ? chunk.length : lf + 1;
      const piece = chunk.subarray(offset, end);
      offset = end;
      if (this.discardingLine) {
        if (lf >= 0) this.discardingLine = false;
        continue;
      }
      this.line.push(piece);
      this.lineBytes += piece.length;
      if (this.totalLineBytes + this.lineBytes > this.limits.maxLineBytes) {
        events.push({ type: 'rejected', tag: this.tagOfCommand(), reason: 'line-too-long', fatal: false });
        this.reset();
        this.discardingLine = lf < 0;
        continue;
      }
      if (lf >= 0) this.endOfLine(events);
    }
    return events;
  }

  private endOfLine(events: FramerEvent[]): void {
    let text = Buffer.concat(this.line);
    this.line = [];
    this.totalLineBytes += this.lineBytes;
    this.lineBytes = 0;
    text = text.subarray(0, text.length - (text.length >= 2 && text[text.length - 2] === CR ? 2 : 1));
    const announced = LITERAL_AT_END.exec(text.toString('latin1'));
    this.lines.push(text);
    if (announced === null) {
      events.push({ type: 'command', command: { lines: this.lines, literals: this.literals } });
      this.reset();
      return;
    }
    const size = Number(announced[1]);
    const synchronizing = announced[2] !== '+';
    if (size > this.limits.maxLiteralBytes) {
      // RFC 7888 §4: a non-synchronizing literal is on its way regardless, so the stream is lost.
      events.push({ type: 'rejected', tag: this.tagOfCommand(), reason: 'literal-too-large', fatal: !synchronizing });
      this.reset();
      return;
    }
    if (synchronizing) events.push({ type: 'continue' });
    if (size === 0) this.literals.push(Buffer.alloc(0));
    else this.literal = { remaining: size, chunks: [] };
  }

  private tagOfCommand(): string | null {
    const first = this.lines[0] ?? Buffer.concat(this.line);
    const space = first.indexOf(0x20);
    return space > 0 ? first.subarray(0, space).toString('latin1') : null;
  }

  private reset(): void {
    this.line = [];
    this.lineBytes = 0;
    this.totalLineBytes = 0;
    this.lines = [];
    this.literals = [];
    this.literal = null;
  }
}
