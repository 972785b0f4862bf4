// The MIME fields of one entity (RFC 2045 §5–§6, RFC 2183, RFC 3282, RFC 2557, RFC 1864) read from
// its header, as BODYSTRUCTURE reports them (RFC 3501 §7.4.2): media type with parameters, id,
// description, transfer encoding, MD5, disposition, language and location.
import type { ContentDisposition } from '../mail/message-structure.js';
import type { HeaderValues } from './header-block.js';

export type Parameter = readonly [name: string, value: string];

export interface ContentFields {
  readonly type: string;
  readonly subtype: string;
  readonly params: readonly Parameter[];
  readonly id: string | null;
  readonly description: string | null;
  readonly encoding: string;
  readonly md5: string | null;
  readonly disposition: ContentDisposition | null;
  readonly language: readonly string[] | null;
  readonly location: string | null;
}

/** What an entity without a (valid) Content-Type is: RFC 2045 §5.2, or RFC 2046 §5.1.5 inside multipart/digest. */
export type DefaultContentType = 'text/plain' | 'message/rfc822';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** Reads `value *(; name=value)` with quoted strings and comments (RFC 2045 §5.1), leniently. */
export function parseParameterizedValue(raw: string): { value: string; params: Parameter[] } {
  const text = raw.replace(/\r?\n/g, '');
  let position = 0;

  const skipComment = (): void => {
    let depth = 0;
    for (; position < text.length; position++) {
      const char = text[position];
      if (char === '\\') position++;
      else if (char === '(') depth++;
      else if (char === ')' && --depth === 0) {
        position++;
        return;
      }
    }
  };
  const skipSpaceAndComments = (): void => {
    while (position < text.length) {
      const char = text[position];
      if (char === ' ' || char === '\t') position++;
      else if (char === '(') skipComment();
      else return;
    }
  };
  /** Reads up to a stop character, dropping comments (RFC 5322 §3.2.2 CFWS may appear between tokens). */
  const readUntil = (stops: string): string => {
    let out = '';
    while (position < text.length && !stops.includes(text[position] ?? '')) {
      if (text[position] === '(') skipComment();
      else out += text[position++];
    }
    return out.trim();
  };
  const readQuoted = (): string => {
    let out = '';
    for (position++; position < text.length; position++) {
      const char = text[position];
      if (char === '"') {
        position++;
        break;
      }
      if (char === '\\' && position + 1 < text.length) position++;
      out += text[position];
    }
    return out;
  };

  const value = readUntil(';');
  const raws: Parameter[] = [];
  while (position < text.length) {
    position++; // the ';'
    skipSpaceAndComments();
    const name = readUntil('=;').toLowerCase();
    if (text[position] !== '=') continue;
    position++;
    skipSpaceAndComments();
    const paramValue = text[position] === '"' ? readQuoted() : readUntil(';');
    readUntil(';'); // junk after a quoted value
    if (name.length > 0) raws.push([name, paramValue]);
  }
  return { value, params: joinContinuations(raws) };
}

/** Percent-encodes a plain continuation segment that joins an extended one (RFC 2231 §4.1). */
function percentEncode(value: string): string {
  return value.replace(/[^A-Za-z0-9!#$&+\-.^_`|~]/gu, (char) =>
    [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

interface Segment {
  readonly index: number;
  readonly extended: boolean;
  readonly value: string;
}

/**
 * RFC 2231 §3–§4: `name*0`, `name*1*`, … are joined in index order. When any segment is extended
 * the result keeps the encoded form under `name*` (as Dovecot does), so BODYSTRUCTURE stays 7-bit
 * and clients decode it; `parameterValue()` gives the Unicode text. The first value of a name wins.
 */
function joinContinuations(raws: readonly Parameter[]): Parameter[] {
  const groups = new Map<string, Segment[]>();
  for (const [name, value] of raws) {
    const match = /^(.+?)\*(?:(\d{1,3})(\*)?)?$/.exec(name);
    const key = match ? `${match[1]}*` : name;
    const segment: Segment = match
      ? { index: match[2] === undefined ? 0 : Number(match[2]), extended: match[2] === undefined || match[3] === '*', value }
      : { index: 0, extended: false, value };
    const group = groups.get(key) ?? [];
    if (!group.some((existing) => existing.index === segment.index)) group.push(segment);
    groups.set(key, group);
  }
  const params: Parameter[] = [];
  for (const [key, segments] of groups) {
    if (!key.endsWith('*')) {
      params.push([key, segments[0]?.value ?? '']);
      continue;
    }
    const ordered = [...segments].sort((a, b) => a.index - b.index);
    const base = key.slice(0, -1);
    if (!ordered.some((segment) => segment.extended)) {
      params.push([base, ordered.map((segment) => segment.value).join('')]);
      continue;
    }
    const joined = ordered.map((segment) => (segment.extended ? segment.value : percentEncode(segment.value))).join('');
    params.push([key, ordered[0]?.extended ? joined : `''${joined}`]);
  }
  const seen = new Set<string>();
  return params.filter(([name]) => !seen.has(name) && seen.add(name));
}

function mediaType(raw: string | null, fallback: DefaultContentType): { type: string; subtype: string; params: Parameter[] } {
  const parsed = raw === null ? null : parseParameterizedValue(raw);
  const [type = '', subtype = '', extra] = (parsed?.value ?? '').toLowerCase().split('/').map((piece) => piece.trim());
  if (parsed && extra === undefined && TOKEN.test(type) && TOKEN.test(subtype)) {
    return { type, subtype, params: parsed.params };
  }
  const [defaultType = 'text', defaultSubtype = 'plain'] = fallback.split('/');
  return { type: defaultType, subtype: defaultSubtype, params: [] };
}

/** RFC 3282 §2: a comma-separated list of language tags; null when absent or empty. */
function languageTags(value: string | null): string[] | null {
  const tags = value === null ? [] : parseParameterizedValue(value).value.split(',').map((tag) => tag.trim()).filter(Boolean);
  return tags.length > 0 ? tags : null;
}

/** The header fields readContentFields() looks at. */
export const CONTENT_FIELD_NAMES: ReadonlySet<string> = new Set([
  'content-type',
  'content-transfer-encoding',
  'content-id',
  'content-description',
  'content-md5',
  'content-disposition',
  'content-language',
  'content-location',
]);

/** Reads the MIME fields of one entity; anything malformed falls back to the RFC defaults. */
export function readContentFields(values: HeaderValues, fallback: DefaultContentType): ContentFields {
  const headerValue = (name: string): string | null => values.get(name) ?? null;
  const { type, subtype, params } = mediaType(headerValue('content-type'), fallback);
  // RFC 2045 §5.2: text without a charset is us-ascii.
  if (type === 'text' && !params.some(([name]) => name === 'charset' || name === 'charset*')) {
    params.push(['charset', 'us-ascii']);
  }
  const encoding = parseParameterizedValue(headerValue('content-transfer-encoding') ?? '').value.toLowerCase();
  const dispositionRaw = headerValue('content-disposition');
  const disposition = dispositionRaw === null ? null : parseParameterizedValue(dispositionRaw);
  const language = headerValue('content-language');
  const location = headerValue('content-location');
  return {
    type,
    subtype,
    params,
    id: headerValue('content-id'),
    description: headerValue('content-description'),
    encoding: TOKEN.test(encoding) ? encoding : '7bit',
    md5: headerValue('content-md5'),
    disposition: disposition && TOKEN.test(disposition.value.toLowerCase())
      ? { type: disposition.value.toLowerCase(), params: disposition.params }
      : null,
    language: languageTags(language),
    // RFC 2557 §4.4.2: white space inside a folded Content-Location is not part of the URI.
    location: location === null ? null : location.replace(/\s+/g, ''),
  };
}
