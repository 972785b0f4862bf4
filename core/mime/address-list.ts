// RFC 5322 §3.4 address lists as ENVELOPE wants them (RFC 3501 §7.4.2): name, mailbox and host,
// raw (encoded words left alone), groups marked by a start entry (host NIL) and an end entry (all NIL).
import type { EnvelopeAddress } from '../mail/message-structure.js';

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'special'; readonly text: string };

/** What Dovecot puts in place of a missing part, so clients never mistake it for a group marker. */
const MISSING_MAILBOX = 'MISSING_MAILBOX';
const MISSING_DOMAIN = 'MISSING_DOMAIN';
const SPECIALS = '<>@,;:';

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < text.length) {
    const char = text[position] ?? '';
    if (char === ' ' || char === '\t' || char === '\r' || char === '\n') {
      position++;
    } else if (char === '"' || char === '(' || char === '[') {
      // Quoted string (§3.2.4), comment (§3.2.2, nests) or domain literal (§3.4.1): read to the closer.
      const close = char === '"' ? '"' : char === '(' ? ')' : ']';
      let depth = 1;
      let out = '';
      for (position++; position < text.length; position++) {
        const inner = text[position] ?? '';
        if (inner === '\\' && char !== '[' && position + 1 < text.length) {
          out += text[++position];
          continue;
        }
        if (char === '(' && inner === '(') depth++;
        if (inner === close && --depth === 0) break;
        out += inner;
      }
      position++;
      if (char === '(') tokens.push({ kind: 'comment', text: out });
      else tokens.push({ kind: 'word', text: char === '[' ? `[${out}]` : out, quoted: char === '"' });
    } else if (SPECIALS.includes(char)) {
      tokens.push({ kind: 'special', text: char });
      position++;
    } else {
      let end = position;
      while (end < text.length && !' \t\r\n"([<>@,;:'.includes(text[end] ?? '')) end++;
      tokens.push({ kind: 'word', text: text.slice(position, end), quoted: false });
      position = end;
    }
  }
  return tokens;
}

/** Re-quotes a quoted local part so `mailbox@host` stays a valid address. */
function localPartText(token: Extract<Token, { kind: 'word' }>): string {
  return token.quoted ? `"${token.text.replace(/(["\\])/g, '\\$1')}"` : token.text;
}

class AddressListParser {
  private position = 0;
  readonly addresses: EnvelopeAddress[] = [];

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private isSpecial(text: string): boolean {
    const token = this.peek();
    return token?.kind === 'special' && token.text === text;
  }

  parse(): void {
    while (this.position < this.tokens.length) {
      if (this.isSpecial(',') || this.isSpecial(';')) {
        this.position++;
        continue;
      }
      const start = this.position;
      const phrase = this.readPhrase();
      if (this.isSpecial(':')) {
        this.position++;
        this.readGroup(phrase.words.join(' '));
      } else {
        this.position = start;
        this.readMailbox();
      }
    }
  }

  /** Words and comments up to the next special; the display name of §3.4 `name-addr`. */
  private readPhrase(): { words: string[]; comments: string[] } {
    const words: string[] = [];
    const comments: string[] = [];
    for (let token = this.peek(); token && token.kind !== 'special'; token = this.peek()) {
      (token.kind === 'word' ? words : comments).push(token.text);
      this.position++;
    }
    return { words, comments };
  }

  /** §3.4 group: `display-name ":" [group-list] ";"`. */
  private readGroup(name: string): void {
    this.addresses.push({ name: null, adl: null, mailbox: name, host: null });
    while (this.position < this.tokens.length && !this.isSpecial(';')) {
      if (this.isSpecial(',') || this.isSpecial(':')) this.position++;
      else this.readMailbox();
    }
    this.position++; // the ';' (or the end)
    this.addresses.push({ name: null, adl: null, mailbox: null, host: null });
  }

  /** §3.4 mailbox: `name-addr` (phrase and angle address) or a bare `addr-spec` with an optional comment. */
  private readMailbox(): void {
    const start = this.position;
    const phrase = this.readPhrase();
    if (this.isSpecial('<')) {
      this.position++;
      const inner = this.readAngleAddress();
      const name = phrase.words.length > 0 ? phrase.words.join(' ') : (phrase.comments[0] ?? null);
      this.push(name, inner.local, inner.domain);
      return;
    }
    this.position = start;
    const spec = this.readAddrSpec(',;');
    const trailing = this.readPhrase();
    if (spec.local === null && spec.domain === null && spec.comments.length === 0) {
      this.position = Math.max(this.position, start + 1); // skip a stray special so the loop advances
      return;
    }
    this.push(spec.comments[0] ?? trailing.comments[0] ?? null, spec.local, spec.domain);
  }

  /** `<[route:]local@domain>`; the obsolete route (§4.4) is dropped, as ENVELOPE's adl is NIL. */
  private readAngleAddress(): { local: string | null; domain: string | null } {
    const closeAt = this.tokens.findIndex((token, index) => index >= this.position && token.kind === 'special' && token.text === '>');
    const end = closeAt === -1 ? this.tokens.length : closeAt;
    const routeEnd = this.tokens.findIndex(
      (token, index) => index >= this.position && index < end && token.kind === 'special' && token.text === ':',
    );
    if (routeEnd !== -1) this.position = routeEnd + 1;
    const spec = this.readAddrSpec('>');
    this.position = end + 1;
    return spec;
  }

  /** §3.4.1 addr-spec: words (dots included) before and after the last `@`, up to a stop special. */
  private readAddrSpec(stops: string): { local: string | null; domain: string | null; comments: string[] } {
    const local: string[] = [];
    const domain: string[] = [];
    const comments: string[] = [];
    let sawAt = false;
    for (let token = this.peek(); token; token = this.peek()) {
      if (token.kind === 'special' && (stops.includes(token.text) || token.text === '<' || token.text === ':')) break;
      this.position++;
      if (token.kind === 'comment') comments.push(token.text);
      else if (token.kind === 'special' && token.text === '@') {
        if (sawAt) local.push('@', ...domain.splice(0));
        sawAt = true;
      } else if (token.kind === 'word') (sawAt ? domain : local).push(sawAt ? token.text : localPartText(token));
    }
    return { local: local.length > 0 ? local.join('') : null, domain: domain.length > 0 ? domain.join('') : null, comments };
  }

  private push(name: string | null, mailbox: string | null, host: string | null): void {
    this.addresses.push({ name, adl: null, mailbox: mailbox ?? MISSING_MAILBOX, host: host ?? MISSING_DOMAIN });
  }
}

/** Parses an unfolded address-list header value; null (ENVELOPE NIL) when it holds no address or group. */
export function parseAddressList(value: string | null): EnvelopeAddress[] | null {
  if (value === null) return null;
  const parser = new AddressListParser(tokenize(value));
  parser.parse();
  return parser.addresses.length > 0 ? parser.addresses : null;
}
