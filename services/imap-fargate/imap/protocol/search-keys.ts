// SEARCH criteria (RFC 3501 §6.4.4, RFC 9051 §6.4.4, MODSEQ RFC 7162 §3.1.5) and ESEARCH RETURN
// options (RFC 4731): tokens → a typed key tree that the session evaluates.
import { ProtocolSyntaxError, type Token } from './command-tokens.js';
import { parseImapDate } from './imap-strings.js';
import { parseSequenceSet, type SequenceSet } from './sequence-set.js';

export type DateOp = 'before' | 'on' | 'since';

export type SearchKey =
  | { readonly kind: 'all' }
  | { readonly kind: 'flag'; readonly flag: string; readonly present: boolean }
  | { readonly kind: 'new' | 'old' | 'recent' }
  /** Substring of a header field's decoded value; empty `value` = the field exists. */
  | { readonly kind: 'header'; readonly field: string; readonly value: string }
  | { readonly kind: 'body' | 'text'; readonly value: string }
  | { readonly kind: 'internaldate' | 'sentdate'; readonly op: DateOp; readonly date: Date }
  | { readonly kind: 'larger' | 'smaller'; readonly bytes: number }
  | { readonly kind: 'not'; readonly key: SearchKey }
  | { readonly kind: 'or'; readonly left: SearchKey; readonly right: SearchKey }
  | { readonly kind: 'and'; readonly keys: readonly SearchKey[] }
  | { readonly kind: 'sequence' | 'uid'; readonly set: SequenceSet }
  | { readonly kind: 'modseq'; readonly modseq: number };

export type SearchReturn = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE';

export interface SearchRequest {
  /** null = classic SEARCH response; a list (possibly empty = ALL) = ESEARCH (RFC 4731 §3.1). */
  readonly returns: readonly SearchReturn[] | null;
  readonly key: SearchKey;
}

const FLAG_KEYS: Record<string, readonly [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};
const ADDRESS_KEYS = new Set(['BCC', 'CC', 'FROM', 'TO', 'SUBJECT']);
const DATE_KEYS: Record<string, readonly ['internaldate' | 'sentdate', DateOp]> = {
  BEFORE: ['internaldate', 'before'],
  ON: ['internaldate', 'on'],
  SINCE: ['internaldate', 'since'],
  SENTBEFORE: ['sentdate', 'before'],
  SENTON: ['sentdate', 'on'],
  SENTSINCE: ['sentdate', 'since'],
};

class KeyReader {
  private index = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  get done(): boolean {
    return this.index >= this.tokens.length;
  }

  next(expected: string): Token {
    const token = this.tokens[this.index++];
    if (token === undefined) throw new ProtocolSyntaxError(`SEARCH: missing ${expected}`);
    return token;
  }

  text(expected: string): string {
    const token = this.next(expected);
    if (token.kind === 'list') throw new ProtocolSyntaxError(`SEARCH: ${expected} must be a string`);
    return token.value;
  }

  number(expected: string): number {
    const value = this.text(expected);
    if (!/^\d{1,20}$/u.test(value)) throw new ProtocolSyntaxError(`SEARCH: ${expected} must be a number`);
    return Number(value);
  }

  key(): SearchKey {
    const token = this.next('search key');
    if (token.kind === 'list') return andOf(new KeyReader(token.items).all());
    if (token.kind === 'string') throw new ProtocolSyntaxError(`SEARCH: unexpected string ${JSON.stringify(token.value)}`);
    const name = token.value.toUpperCase();
    const flag = FLAG_KEYS[name];
    if (flag !== undefined) return { kind: 'flag', flag: flag[0], present: flag[1] };
    if (ADDRESS_KEYS.has(name)) return { kind: 'header', field: name.toLowerCase(), value: this.text(`${name} value`) };
    const date = DATE_KEYS[name];
    if (date !== undefined) {
      const parsed = parseImapDate(this.text('date'));
      if (parsed === null) throw new ProtocolSyntaxError(`SEARCH: ${name} needs a date like 1-Feb-2024`);
      return { kind: date[0], op: date[1], date: parsed };
    }
    switch (name) {
      case 'ALL':
        return { kind: 'all' };
      case 'NEW':
      case 'OLD':
      case 'RECENT':
        return { kind: name.toLowerCase() as 'new' | 'old' | 'recent' };
      case 'KEYWORD':
        return { kind: 'flag', flag: this.text('keyword'), present: true };
      case 'UNKEYWORD':
        return { kind: 'flag', flag: this.text('keyword'), present: false };
      case 'HEADER':
        return { kind: 'header', field: this.text('header field').toLowerCase(), value: this.text('header value') };
      case 'BODY':
      case 'TEXT':
        return { kind: name.toLowerCase() as 'body' | 'text', value: this.text(`${name} value`) };
      case 'LARGER':
      case 'SMALLER':
        return { kind: name.toLowerCase() as 'larger' | 'smaller', bytes: this.number('size') };
      case 'NOT':
        return { kind: 'not', key: this.key() };
      case 'OR':
        return { kind: 'or', left: this.key(), right: this.key() };
      case 'UID':
        return { kind: 'uid', set: sequenceSetOf(this.text('UID set')) };
      case 'MODSEQ': {
        // RFC 7162 §3.1.5: an optional entry name and type come before the number; we index no per-flag MODSEQ.
        let value = this.text('mod-sequence');
        if (value.startsWith('/') || !/^\d+$/u.test(value)) {
          this.text('entry type');
          value = this.text('mod-sequence');
        }
        if (!/^\d{1,20}$/u.test(value)) throw new ProtocolSyntaxError('SEARCH: MODSEQ needs a number');
        return { kind: 'modseq', modseq: Number(value) };
      }
      default:
        return { kind: 'sequence', set: sequenceSetOf(token.value) };
    }
  }

  all(): SearchKey[] {
    const keys: SearchKey[] = [];
    while (!this.done) keys.push(this.key());
    if (keys.length === 0) throw new ProtocolSyntaxError('SEARCH: empty criteria');
    return keys;
  }
}

function sequenceSetOf(text: string): SequenceSet {
  const set = parseSequenceSet(text);
  if (set === null) throw new ProtocolSyntaxError(`SEARCH: unknown search key ${text}`);
  return set;
}

function andOf(keys: SearchKey[]): SearchKey {
  return keys.length === 1 ? (keys[0] as SearchKey) : { kind: 'and', keys };
}

const RETURN_OPTIONS = new Set<string>(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);

/** Parses `[RETURN (...)] [CHARSET x] criteria`. Only UTF-8 and US-ASCII are accepted (RFC 9051 §6.4.4). */
export function parseSearch(tokens: readonly Token[]): SearchRequest & { readonly charset: string | null } {
  let rest = tokens;
  let returns: SearchReturn[] | null = null;
  const first = rest[0];
  if (first?.kind === 'atom' && first.value.toUpperCase() === 'RETURN') {
    const list = rest[1];
    if (list?.kind !== 'list') throw new ProtocolSyntaxError('SEARCH: RETURN needs a list');
    returns = list.items.map((item) => {
      const name = item.kind === 'atom' ? item.value.toUpperCase() : '';
      if (!RETURN_OPTIONS.has(name)) throw new ProtocolSyntaxError(`SEARCH: unknown RETURN option`);
      return name as SearchReturn;
    });
    rest = rest.slice(2);
  }
  let charset: string | null = null;
  const maybeCharset = rest[0];
  if (maybeCharset?.kind === 'atom' && maybeCharset.value.toUpperCase() === 'CHARSET') {
    const value = rest[1];
    if (value === undefined || value.kind === 'list') throw new ProtocolSyntaxError('SEARCH: CHARSET needs a name');
    charset = value.value.toUpperCase();
    rest = rest.slice(2);
  }
  return { returns, charset, key: andOf(new KeyReader(rest).all()) };
}
