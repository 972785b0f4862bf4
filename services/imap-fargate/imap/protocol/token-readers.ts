// Small typed readers over argument tokens, shared by the verb parsers: each throws
// ProtocolSyntaxError with a message the client sees in its BAD response (InvalidMailboxNameError: NO).
import { decodeMutf7 } from '../../../../core/mail/mutf7.js';
import { ProtocolSyntaxError, type Token } from './command-tokens.js';
import { parseSequenceSet, type SequenceSet } from './sequence-set.js';

/**
 * A well-formed argument that cannot name a mailbox (8-bit or broken modified UTF-7 without
 * UTF8=ACCEPT): NO, not BAD, as Dovecot answers, since the command itself was fine. mbsync 1.4
 * sends its local UTF-8 folder names as they are and drops the whole connection on a BAD.
 */
export class InvalidMailboxNameError extends Error {
  override readonly name = 'InvalidMailboxNameError';
}

export class ArgumentReader {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.tokens.length - this.index;
  }

  peek(): Token | undefined {
    return this.tokens[this.index];
  }

  next(expected: string): Token {
    const token = this.tokens[this.index++];
    if (token === undefined) throw new ProtocolSyntaxError(`${this.what}: missing ${expected}`);
    return token;
  }

  /** An atom or string (RFC 3501 astring). */
  astring(expected: string): string {
    const token = this.next(expected);
    if (token.kind === 'list' || (token.kind === 'atom' && token.section !== undefined))
      throw new ProtocolSyntaxError(`${this.what}: ${expected} must be a string`);
    return token.value;
  }

  atom(expected: string): string {
    const token = this.next(expected);
    if (token.kind !== 'atom' || token.section !== undefined) throw new ProtocolSyntaxError(`${this.what}: ${expected} must be an atom`);
    return token.value;
  }

  list(expected: string): readonly Token[] {
    const token = this.next(expected);
    if (token.kind !== 'list') throw new ProtocolSyntaxError(`${this.what}: ${expected} must be a parenthesized list`);
    return token.items;
  }

  number(expected: string): number {
    const text = this.atom(expected);
    if (!/^\d{1,20}$/u.test(text)) throw new ProtocolSyntaxError(`${this.what}: ${expected} must be a number`);
    return Number(text);
  }

  sequenceSet(expected: string): SequenceSet {
    const set = parseSequenceSet(this.atom(expected));
    if (set === null) throw new ProtocolSyntaxError(`${this.what}: malformed ${expected}`);
    return set;
  }

  /**
   * A mailbox name: modified UTF-7 unless UTF8=ACCEPT is on (RFC 6855 §3); INBOX in any case means INBOX.
   */
  mailbox(utf8: boolean): string {
    const raw = this.astring('mailbox name');
    const name = utf8 ? raw : decodeMutf7(raw);
    if (name === null)
      throw new InvalidMailboxNameError(
        `${this.what}: mailbox name is not valid modified UTF-7 (RFC 3501 §5.1.3); send UTF-8 after ENABLE UTF8=ACCEPT`,
      );
    return normalizeMailboxName(name);
  }

  /** Every token not read yet. */
  rest(): readonly Token[] {
    const rest = this.tokens.slice(this.index);
    this.index = this.tokens.length;
    return rest;
  }

  end(): void {
    if (this.index < this.tokens.length) throw new ProtocolSyntaxError(`${this.what}: unexpected extra arguments`);
  }
}

export function normalizeMailboxName(name: string): string {
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : /^inbox\//iu.test(name) ? 'INBOX' + name.slice(5) : name;
}
