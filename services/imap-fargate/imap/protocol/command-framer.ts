// Splits the client byte stream into whole commands: a line, plus the literals it announces
// (RFC 3501 §4.3 `{n}` synchronizing, RFC 7888 `{n+}` LITERAL+), each with a named limit. Feeding it
// one byte at a time or the whole stream at once gives the same commands. The message literal of an
// APPEND is not buffered: the command is handed over when the literal is announced, and its bytes
// flow through an IncomingLiteral (streamed to the blob store as they arrive); so do the next
// messages of a MULTIAPPEND (RFC 3502), each announced by the tail line of the one before.
import { IncomingLiteral, LiteralAbortedError } from './incoming-literal.js';
import { ProtocolSyntaxError } from './command-tokens.js';

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
  /** An APPEND message literal announced at the end of the last line, still arriving. */
  readonly streamed?: IncomingLiteral;
}

export type FramerEvent =
  | { readonly type: 'command'; readonly command: FramedCommand }
  /** An APPEND whose message literal is announced: `command.streamed` carries its bytes as they arrive. */
  | { readonly type: 'streamed-command'; readonly command: FramedCommand & { readonly streamed: IncomingLiteral } }
  /** A synchronizing literal was announced: the server must send a continuation request (`+`). */
  | { readonly type: 'continue' }
  /** The command broke a limit and was dropped; `fatal` when the rest of the stream can no longer be trusted. */
  | { readonly type: 'rejected'; readonly tag: string | null; readonly reason: 'line-too-long' | 'literal-too-large'; readonly fatal: boolean };

const LITERAL_AT_END = /(~?)\{(\d{1,20})(\+?)\}$/u;
/** RFC 3501 §6.3.11: the first line of an APPEND (the mailbox name may itself be a literal: `A APPEND {5}`). */
const APPEND_LINE = /^[^ ]+ APPEND /iu;
const APPEND_MAILBOX_LITERAL = /^[^ ]+ APPEND ~?\{\d+\+?\}$/iu;
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
  /** The APPEND message literal being received, and the bytes still to come. */
  private streaming: { literal: IncomingLiteral; remaining: number } | null = null;
  /** After a streamed literal: the rest of its command goes to the literal (setTail), not out as a command. */
  private tailOf: IncomingLiteral | null = null;

  constructor(private readonly limits: FramerLimits) {}

  push(chunk: Buffer): FramerEvent[] {
    const events: FramerEvent[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (this.streaming !== null) {
        const streaming = this.streaming;
        const take = Math.min(streaming.remaining, chunk.length - offset);
        streaming.literal.push(chunk.subarray(offset, offset + take));
        streaming.remaining -= take;
        offset += take;
        if (streaming.remaining === 0) {
          this.streaming = null;
          this.tailOf = streaming.literal;
          streaming.literal.finish();
        }
        continue;
      }
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
        if (this.tailOf !== null) this.tailOf.failTail(new ProtocolSyntaxError('APPEND: the line after the message is too long'));
        else events.push({ type: 'rejected', tag: this.tagOfCommand(), reason: 'line-too-long', fatal: false });
        this.tailOf = null;
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
    const latin1 = text.toString('latin1');
    const announced = LITERAL_AT_END.exec(latin1);
    this.lines.push(text);
    if (announced === null) {
      const command = { lines: this.lines, literals: this.literals };
      const tailOf = this.tailOf;
      this.tailOf = null;
      if (tailOf !== null) tailOf.setTail(command);
      else events.push({ type: 'command', command });
      this.reset();
      return;
    }
    const size = Number(announced[2]);
    const synchronizing = announced[3] !== '+';
    if (this.tailOf !== null) {
      this.nextMessage(size, synchronizing, announced[1] === '~', events);
      return;
    }
    if (size > this.limits.maxLiteralBytes) {
      // RFC 7888 §4: a non-synchronizing literal is on its way regardless, so the stream is lost.
      events.push({ type: 'rejected', tag: this.tagOfCommand(), reason: 'literal-too-large', fatal: !synchronizing });
      this.reset();
      return;
    }
    const first = this.lines[0] as Buffer;
    if (size > 0 && APPEND_LINE.test(first.toString('latin1')) && !(this.lines.length === 1 && APPEND_MAILBOX_LITERAL.test(latin1))) {
      // The session sends `+` itself once it has checked the mailbox, quota and size (RFC 3501 §7.5).
      const command = { lines: this.lines, literals: this.literals };
      this.reset();
      events.push({ type: 'streamed-command', command: { ...command, streamed: this.streamLiteral(size, synchronizing, announced[1] === '~') } });
      return;
    }
    if (synchronizing) events.push({ type: 'continue' });
    if (size === 0) this.literals.push(Buffer.alloc(0));
    else this.literal = { remaining: size, chunks: [] };
  }

  /**
   * MULTIAPPEND (RFC 3502): the line after a message literal announces the next message. That line
   * is the previous literal's tail, carrying the new literal (a refused literal refuses the ones
   * announced after it: incoming-literal.ts).
   */
  private nextMessage(size: number, synchronizing: boolean, binary: boolean, events: FramerEvent[]): void {
    const previous = this.tailOf as IncomingLiteral;
    const command = { lines: this.lines, literals: this.literals };
    this.tailOf = null;
    this.reset();
    if (size === 0 || (size > this.limits.maxLiteralBytes && !synchronizing)) {
      previous.failTail(new ProtocolSyntaxError(size === 0 ? 'APPEND: empty message literal' : 'APPEND: message literal over the size limit'));
      // RFC 7888 §4: a non-synchronizing literal over the limit is on its way regardless: the stream is lost.
      if (size > 0) events.push({ type: 'rejected', tag: null, reason: 'literal-too-large', fatal: true });
      return;
    }
    previous.setTail({ ...command, streamed: this.streamLiteral(size, synchronizing, binary) });
  }

  /** Starts streaming an APPEND message literal; a refusal before `+` stops it (it will never come). */
  private streamLiteral(size: number, synchronizing: boolean, binary: boolean): IncomingLiteral {
    const literal = new IncomingLiteral(size, synchronizing, binary);
    literal.onAbandon = () => {
      if (this.streaming?.literal !== literal) return;
      this.streaming = null;
      literal.failTail(new LiteralAbortedError('literal refused before it was sent'));
    };
    this.streaming = { literal, remaining: size };
    return literal;
  }

  /** The literal being received, if any (the network shell applies backpressure on it). */
  get streamingLiteral(): IncomingLiteral | null {
    return this.streaming?.literal ?? null;
  }

  /** The connection is gone: a half-received literal must not be stored (RFC 3501 §6.3.11). */
  abort(): void {
    const error = new LiteralAbortedError('the client disconnected during APPEND');
    this.streaming?.literal.abort(error);
    this.tailOf?.abort(error);
    this.streaming = null;
    this.tailOf = null;
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
