// Structured header values with parameters: `value *(";" name "=" value)` with quoted strings and
// comments (RFC 2045 §5.1, RFC 2183 §2), and RFC 2231 continuations joined. Lenient: junk is skipped.

export type Parameter = readonly [name: string, value: string];

const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x28;
const CLOSE = 0x29;
const SPACE = 0x20;
const TAB = 0x09;

/** A cursor over one unfolded header value. */
class ValueScanner {
  position = 0;

  constructor(readonly text: string) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  at(code: number): boolean {
    return this.text.charCodeAt(this.position) === code;
  }

  /** RFC 5322 §3.2.2: comments nest and may hold quoted pairs. */
  skipComment(): void {
    let depth = 0;
    for (; this.position < this.text.length; this.position++) {
      const code = this.text.charCodeAt(this.position);
      if (code === BACKSLASH) this.position++;
      else if (code === OPEN) depth++;
      else if (code === CLOSE && --depth === 0) {
        this.position++;
        return;
      }
    }
  }

  skipSpaceAndComments(): void {
    while (this.position < this.text.length) {
      const code = this.text.charCodeAt(this.position);
      if (code === SPACE || code === TAB) this.position++;
      else if (code === OPEN) this.skipComment();
      else return;
    }
  }

  /** Text up to `stop` (or `alsoStop`), comments dropped, trimmed. */
  readUntil(stop: number, alsoStop = stop): string {
    let out = '';
    let from = this.position;
    while (this.position < this.text.length) {
      const code = this.text.charCodeAt(this.position);
      if (code === stop || code === alsoStop) break;
      if (code === OPEN) {
        out += this.text.slice(from, this.position);
        this.skipComment();
        from = this.position;
      } else {
        this.position++;
      }
    }
    return (out + this.text.slice(from, this.position)).trim();
  }

  /** RFC 5322 §3.2.4 quoted-string at the cursor, quotes removed and quoted pairs resolved. */
  readQuoted(): string {
    let out = '';
    let from = ++this.position;
    for (; this.position < this.text.length; this.position++) {
      const code = this.text.charCodeAt(this.position);
      if (code === QUOTE) {
        out += this.text.slice(from, this.position++);
        return out;
      }
      if (code === BACKSLASH) {
        out += this.text.slice(from, this.position);
        from = ++this.position;
      }
    }
    return out + this.text.slice(from);
  }
}

/** Reads `value *(; name=value)`; parameter names are lower-cased, values keep their case. */
export function parseParameterizedValue(raw: string): { value: string; params: Parameter[] } {
  const scanner = new ValueScanner(raw.includes('\n') ? raw.replace(/\r?\n/g, '') : raw);
  const value = scanner.readUntil(SEMICOLON);
  const raws: Parameter[] = [];
  while (!scanner.done) {
    scanner.position++; // the ';'
    scanner.skipSpaceAndComments();
    const name = scanner.readUntil(EQUALS, SEMICOLON).toLowerCase();
    if (!scanner.at(EQUALS)) continue;
    scanner.position++;
    scanner.skipSpaceAndComments();
    const paramValue = scanner.at(QUOTE) ? scanner.readQuoted() : scanner.readUntil(SEMICOLON);
    scanner.readUntil(SEMICOLON); // junk after a quoted value
    if (name.length > 0) raws.push([name, paramValue]);
  }
  return { value, params: raws.some(([name]) => name.includes('*')) ? joinContinuations(raws) : firstOfEach(raws) };
}

function firstOfEach(params: readonly Parameter[]): Parameter[] {
  const seen = new Set<string>();
  return params.filter(([name]) => !seen.has(name) && seen.add(name));
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
  return firstOfEach(params);
}
