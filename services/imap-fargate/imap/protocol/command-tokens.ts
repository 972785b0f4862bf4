// Turns a framed command into its tag, its verb and a tree of argument tokens (RFC 3501 §9 lexical
// rules, RFC 9051 UTF-8 quoted strings). Each verb's parser reads its own grammar from the tokens.
import type { FramedCommand } from './command-framer.js';
import type { IncomingLiteral } from './incoming-literal.js';

export type Token =
  | { readonly kind: 'atom'; readonly value: string; readonly section?: readonly Token[]; readonly partial?: Partial }
  | { readonly kind: 'string'; readonly value: string; readonly bytes: Buffer; readonly literal: boolean }
  | { readonly kind: 'list'; readonly items: readonly Token[] };

export interface Partial {
  readonly offset: number;
  readonly length: number | null;
}

export interface TokenizedCommand {
  readonly tag: string;
  readonly verb: string;
  readonly args: readonly Token[];
  /** The APPEND message literal still arriving (command-framer.ts), where the command's text stops for now. */
  readonly streamed: StreamedArgument | null;
}

export interface StreamedArgument {
  readonly literal: IncomingLiteral;
  /** Lists the literal sits in (`UTF8 (~{n}` → 1), implicitly closed in `args`: the command's rest must close them. */
  readonly unclosedLists: number;
}

export class ProtocolSyntaxError extends Error {
  override readonly name = 'ProtocolSyntaxError';
}

/** Atoms that open a `[section]` (FETCH body sections); elsewhere `[` is an ordinary atom character. */
const SECTION_ATOMS = new Set(['BODY', 'BODY.PEEK', 'BINARY', 'BINARY.PEEK', 'BINARY.SIZE']);
/** RFC 3501 atom-specials, except `*`, `%` and `]`, which LIST patterns and sequence sets use; `[` is handled apart. */
const ATOM_STOP = new Set(['(', ')', '{', ' ', '"', '['].map((c) => c.charCodeAt(0)));
const TAG = /^[\x21-\x7e]+$/u;

const NOTHING = Buffer.alloc(0);

class Cursor {
  private segment = 0;
  private pos = 0;
  /** Lists implicitly closed at the streamed literal. */
  unclosedLists = 0;

  constructor(private readonly command: FramedCommand) {}

  private get text(): Buffer {
    return this.command.lines[this.segment] ?? NOTHING;
  }

  /** True right after the streamed literal: the command's text ends there for now. */
  get atStreamedEnd(): boolean {
    return this.segment >= this.command.lines.length;
  }

  peek(): number | undefined {
    return this.text[this.pos];
  }

  peekAt(ahead: number): number | undefined {
    return this.text[this.pos + ahead];
  }

  atEnd(): boolean {
    return this.pos >= this.text.length && this.segment >= this.command.lines.length - 1;
  }

  /** Set once the streamed literal has been reached. */
  streamedLiteral: IncomingLiteral | null = null;

  /** At the last line's `{n}` of a command with a streamed literal: steps past it and returns true. */
  streamed(): boolean {
    if (this.segment !== this.command.lines.length - 1 || this.command.streamed === undefined) return false;
    const rest = this.text.subarray(this.pos).toString('latin1');
    if (!/^\{\d+\+?\}$/u.test(rest)) return false;
    this.segment++;
    this.pos = 0;
    this.streamedLiteral = this.command.streamed;
    return true;
  }

  next(): number {
    const byte = this.text[this.pos];
    if (byte === undefined) throw new ProtocolSyntaxError('unexpected end of command');
    this.pos++;
    return byte;
  }

  expectSpace(): void {
    if (this.next() !== 0x20) throw new ProtocolSyntaxError('expected a space');
  }

  /** Reads `{n}` / `{n+}` at the end of the current line, then moves to the literal and the next line. */
  literal(): Buffer {
    const rest = this.text.subarray(this.pos).toString('latin1');
    if (!/^\{\d+\+?\}$/u.test(rest)) throw new ProtocolSyntaxError('malformed literal');
    const value = this.command.literals[this.segment];
    if (value === undefined) throw new ProtocolSyntaxError('missing literal');
    this.segment++;
    this.pos = 0;
    return value;
  }

  takeWhile(accept: (byte: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.text.length && accept(this.text[this.pos] as number)) this.pos++;
    return this.text.subarray(start, this.pos).toString('utf8');
  }
}

function isAtomByte(byte: number, inSection: boolean): boolean {
  if (byte <= 0x1f || byte === 0x7f || ATOM_STOP.has(byte)) return false;
  return !(inSection && byte === 0x5d);
}

function readQuoted(cursor: Cursor): Token {
  cursor.next();
  const bytes: number[] = [];
  for (;;) {
    let byte = cursor.next();
    if (byte === 0x22) break;
    if (byte === 0x5c) {
      byte = cursor.next();
      if (byte !== 0x22 && byte !== 0x5c) throw new ProtocolSyntaxError('bad escape in quoted string');
    }
    if (byte === 0x0d || byte === 0x0a) throw new ProtocolSyntaxError('line break in quoted string');
    bytes.push(byte);
  }
  const buffer = Buffer.from(bytes);
  return { kind: 'string', value: buffer.toString('utf8'), bytes: buffer, literal: false };
}

function readPartial(cursor: Cursor): Partial {
  cursor.next();
  const offset = cursor.takeWhile((b) => b >= 0x30 && b <= 0x39);
  let length: string | null = null;
  if (cursor.peek() === 0x2e) {
    cursor.next();
    length = cursor.takeWhile((b) => b >= 0x30 && b <= 0x39);
  }
  if (offset === '' || length === '' || cursor.next() !== 0x3e) throw new ProtocolSyntaxError('malformed <partial>');
  return { offset: Number(offset), length: length === null ? null : Number(length) };
}

/** Reads one token; null when it was the streamed literal (the end of the command's text for now). */
function readToken(cursor: Cursor, inSection: boolean): Token | null {
  const byte = cursor.peek();
  if (byte === 0x22) return readQuoted(cursor);
  // RFC 3516/6855 literal8 `~{n}` (APPEND UTF8): the same bytes, announced as possibly binary.
  if (byte === 0x7e && cursor.peekAt(1) === 0x7b) cursor.next();
  if (cursor.peek() === 0x7b) {
    if (cursor.streamed()) return null;
    const bytes = cursor.literal();
    return { kind: 'string', value: bytes.toString('utf8'), bytes, literal: true };
  }
  if (byte === 0x28) {
    cursor.next();
    return { kind: 'list', items: readSequence(cursor, 0x29, inSection) };
  }
  let value = cursor.takeWhile((b) => isAtomByte(b, inSection));
  if (value === '' && (inSection || byte !== 0x5b)) throw new ProtocolSyntaxError(`unexpected character ${JSON.stringify(String.fromCharCode(byte ?? 0))}`);
  if (!inSection && cursor.peek() === 0x5b && SECTION_ATOMS.has(value.toUpperCase())) return readSection(cursor, value);
  // Elsewhere `[` is an atom character (a mailbox named `[Gmail]/Sent`).
  while (!inSection && cursor.peek() === 0x5b) {
    cursor.next();
    value += '[' + cursor.takeWhile((b) => isAtomByte(b, false));
  }
  return { kind: 'atom', value };
}

function readSection(cursor: Cursor, value: string): Token {
  cursor.next();
  const section = readSequence(cursor, 0x5d, true);
  const partial = cursor.peek() === 0x3c ? readPartial(cursor) : undefined;
  return partial === undefined ? { kind: 'atom', value, section } : { kind: 'atom', value, section, partial };
}

function readSequence(cursor: Cursor, close: number, inSection: boolean): Token[] {
  const items: Token[] = [];
  for (;;) {
    if (cursor.atStreamedEnd) {
      cursor.unclosedLists++;
      return items;
    }
    if (cursor.peek() === close) {
      cursor.next();
      return items;
    }
    if (items.length > 0) cursor.expectSpace();
    if (cursor.peek() === close) throw new ProtocolSyntaxError('trailing space in list');
    const token = readToken(cursor, inSection);
    if (token !== null) items.push(token);
  }
}

/** Space-separated arguments to the end of the command, or up to its streamed literal. */
function readArguments(cursor: Cursor): Pick<TokenizedCommand, 'args' | 'streamed'> {
  const args: Token[] = [];
  while (!cursor.atEnd() && !cursor.atStreamedEnd) {
    cursor.expectSpace();
    const token = readToken(cursor, false);
    if (token !== null) args.push(token);
  }
  const streamed = cursor.streamedLiteral === null ? null : { literal: cursor.streamedLiteral, unclosedLists: cursor.unclosedLists };
  return { args, streamed };
}

/**
 * The text after an APPEND message literal: the `)` of each list the literal sat in (`UTF8 (`,
 * RFC 6855 §4), then nothing, or with MULTIAPPEND (RFC 3502) the next message's arguments up to its
 * streamed literal. Throws ProtocolSyntaxError.
 */
export function tokenizeAppendTail(tail: FramedCommand, unclosedLists: number): Pick<TokenizedCommand, 'args' | 'streamed'> {
  const cursor = new Cursor(tail);
  for (let i = 0; i < unclosedLists; i++) if (cursor.atEnd() || cursor.next() !== 0x29) throw new ProtocolSyntaxError('expected ")" after the message literal');
  return readArguments(cursor);
}

export function tokenizeCommand(command: FramedCommand): TokenizedCommand {
  const cursor = new Cursor(command);
  const tag = cursor.takeWhile((b) => b > 0x20 && b < 0x7f && b !== 0x2b && b !== 0x28 && b !== 0x29 && b !== 0x7b && b !== 0x22 && b !== 0x25 && b !== 0x2a);
  if (tag === '' || !TAG.test(tag)) throw new ProtocolSyntaxError('missing or malformed tag');
  if (cursor.atEnd()) throw new TaggedSyntaxError(tag, 'missing command');
  try {
    cursor.expectSpace();
    const verb = cursor.takeWhile((b) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d);
    if (verb === '') throw new ProtocolSyntaxError('missing command');
    return { tag, verb: verb.toUpperCase(), ...readArguments(cursor) };
  } catch (error) {
    if (error instanceof ProtocolSyntaxError) throw new TaggedSyntaxError(tag, error.message);
    throw error;
  }
}

/** A syntax error after a readable tag: answered with a tagged BAD. */
export class TaggedSyntaxError extends ProtocolSyntaxError {
  constructor(
    readonly tag: string,
    message: string,
  ) {
    super(message);
  }
}
