// FETCH data items (RFC 3501 §6.4.5, RFC 9051 §6.4.5, CONDSTORE RFC 7162 §3.1.4): tokens → typed items.
import { ProtocolSyntaxError, type Partial, type Token } from './command-tokens.js';

export type SectionText = 'all' | 'header' | 'header-fields' | 'header-fields-not' | 'text' | 'mime';

export interface BodySection {
  /** Part numbers; empty for the whole message. */
  readonly part: readonly number[];
  readonly text: SectionText;
  /** Field names of HEADER.FIELDS (.NOT) as the client spelled them (compared case-insensitively). */
  readonly fields: readonly string[];
}

export type FetchItem =
  | { readonly kind: 'uid' | 'flags' | 'internaldate' | 'rfc822.size' | 'envelope' | 'bodystructure' | 'body' | 'modseq' }
  /** BODY[section]<partial>, BINARY[section]<partial> and the RFC822 / RFC822.HEADER / RFC822.TEXT aliases. */
  | {
      readonly kind: 'section';
      readonly name: string;
      readonly section: BodySection;
      readonly partial: Partial | null;
      readonly peek: boolean;
      readonly binary: boolean;
    }
  | { readonly kind: 'binary.size'; readonly section: BodySection };

const SIMPLE: Record<string, FetchItem> = {
  UID: { kind: 'uid' },
  FLAGS: { kind: 'flags' },
  INTERNALDATE: { kind: 'internaldate' },
  'RFC822.SIZE': { kind: 'rfc822.size' },
  ENVELOPE: { kind: 'envelope' },
  BODYSTRUCTURE: { kind: 'bodystructure' },
  MODSEQ: { kind: 'modseq' },
};

const WHOLE: BodySection = { part: [], text: 'all', fields: [] };

function alias(name: string, text: SectionText, peek: boolean): FetchItem {
  return { kind: 'section', name, section: { part: [], text, fields: [] }, partial: null, peek, binary: false };
}

/** RFC 3501 §6.4.5 macros. */
const MACROS: Record<string, readonly string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

function parseSection(tokens: readonly Token[], binary: boolean): BodySection {
  if (tokens.length === 0) return WHOLE;
  const [spec, fieldList, ...rest] = tokens;
  if (spec === undefined || spec.kind !== 'atom' || rest.length > 0) throw new ProtocolSyntaxError('malformed body section');
  const match = /^((?:[1-9]\d*\.)*[1-9]\d*)?(?:\.?(HEADER|HEADER\.FIELDS|HEADER\.FIELDS\.NOT|TEXT|MIME))?$/iu.exec(spec.value);
  if (match === null || (match[1] === undefined && match[2] === undefined)) throw new ProtocolSyntaxError(`unknown body section ${spec.value}`);
  if (match[1] !== undefined && match[2] !== undefined && !spec.value.includes('.' + match[2])) throw new ProtocolSyntaxError('malformed body section');
  const part = match[1] === undefined ? [] : match[1].split('.').map(Number);
  const keyword = (match[2] ?? '').toUpperCase();
  const text: SectionText = keyword === '' ? 'all' : (keyword.toLowerCase().replace(/\./gu, '-') as SectionText);
  if (text === 'mime' && part.length === 0) throw new ProtocolSyntaxError('MIME needs a part number');
  if (binary && text !== 'all') throw new ProtocolSyntaxError('BINARY takes part numbers only');
  const wantsFields = text === 'header-fields' || text === 'header-fields-not';
  if (wantsFields !== (fieldList !== undefined)) throw new ProtocolSyntaxError('HEADER.FIELDS needs a list of field names');
  let fields: string[] = [];
  if (fieldList !== undefined) {
    if (fieldList.kind !== 'list' || fieldList.items.length === 0) throw new ProtocolSyntaxError('HEADER.FIELDS needs a list of field names');
    fields = fieldList.items.map((item) => {
      if (item.kind === 'list') throw new ProtocolSyntaxError('malformed header field name');
      return item.value;
    });
  }
  return { part, text, fields };
}

function parseOne(token: Token): FetchItem[] {
  if (token.kind !== 'atom') throw new ProtocolSyntaxError('fetch items must be atoms');
  const name = token.value.toUpperCase();
  if (token.section !== undefined) {
    const binary = name.startsWith('BINARY');
    const section = parseSection(token.section, binary);
    if (name === 'BINARY.SIZE') {
      if (token.partial !== undefined) throw new ProtocolSyntaxError('BINARY.SIZE takes no partial');
      return [{ kind: 'binary.size', section }];
    }
    if (token.partial !== undefined && token.partial.length === 0) throw new ProtocolSyntaxError('partial length must be positive');
    return [{ kind: 'section', name: binary ? 'BINARY' : 'BODY', section, partial: token.partial ?? null, peek: name.endsWith('.PEEK'), binary }];
  }
  const simple = SIMPLE[name];
  if (simple !== undefined) return [simple];
  if (name === 'BODY') return [{ kind: 'body' }];
  if (name === 'RFC822') return [alias('RFC822', 'all', false)];
  if (name === 'RFC822.HEADER') return [alias('RFC822.HEADER', 'header', true)];
  if (name === 'RFC822.TEXT') return [alias('RFC822.TEXT', 'text', false)];
  throw new ProtocolSyntaxError(`unknown fetch item ${token.value}`);
}

export function parseFetchItems(token: Token): FetchItem[] {
  if (token.kind === 'atom' && token.section === undefined) {
    const macro = MACROS[token.value.toUpperCase()];
    if (macro !== undefined) return macro.flatMap((name) => parseOne({ kind: 'atom', value: name }));
  }
  const items = token.kind === 'list' ? token.items.flatMap(parseOne) : parseOne(token);
  if (items.length === 0) throw new ProtocolSyntaxError('no fetch items');
  return items;
}

/** The section as it appears in the response: `1.2.HEADER.FIELDS (SUBJECT)`. */
export function formatSection(section: BodySection): string {
  const keyword = section.text === 'all' ? '' : section.text.toUpperCase().replace(/-/gu, '.');
  const parts = [...section.part.map(String), ...(keyword === '' ? [] : [keyword])].join('.');
  return section.fields.length > 0 ? `${parts} (${section.fields.join(' ')})` : parts;
}

export interface FetchModifiers {
  readonly changedSince: number | null;
  readonly vanished: boolean;
}

/** `(CHANGEDSINCE n [VANISHED])` (RFC 7162 §3.1.4.1, §3.2.6). */
export function parseFetchModifiers(tokens: readonly Token[]): FetchModifiers {
  let changedSince: number | null = null;
  let vanished = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const name = token.kind === 'atom' ? token.value.toUpperCase() : '';
    if (name === 'CHANGEDSINCE') {
      const value = tokens[++i];
      if (value?.kind !== 'atom' || !/^\d{1,20}$/u.test(value.value)) throw new ProtocolSyntaxError('CHANGEDSINCE needs a number');
      changedSince = Number(value.value);
    } else if (name === 'VANISHED') {
      vanished = true;
    } else {
      throw new ProtocolSyntaxError('unknown FETCH modifier');
    }
  }
  if (vanished && changedSince === null) throw new ProtocolSyntaxError('VANISHED needs CHANGEDSINCE');
  return { changedSince, vanished };
}
