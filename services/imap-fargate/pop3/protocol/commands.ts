// POP3 command lines → typed commands (RFC 1939 §3, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH).
// Pure: a keyword of 3–4 letters, case-insensitive, then arguments separated by single spaces.

export type Pop3Command =
  | { readonly verb: 'USER'; readonly name: string }
  | { readonly verb: 'PASS'; readonly password: string }
  | { readonly verb: 'AUTH'; readonly mechanism: string | null; readonly initialResponse: string | null }
  | { readonly verb: 'STLS' }
  | { readonly verb: 'CAPA' }
  | { readonly verb: 'STAT' }
  | { readonly verb: 'LIST'; readonly messageNumber: number | null }
  | { readonly verb: 'UIDL'; readonly messageNumber: number | null }
  | { readonly verb: 'RETR'; readonly messageNumber: number }
  | { readonly verb: 'TOP'; readonly messageNumber: number; readonly lineCount: number }
  | { readonly verb: 'DELE'; readonly messageNumber: number }
  | { readonly verb: 'NOOP' }
  | { readonly verb: 'RSET' }
  | { readonly verb: 'QUIT' };

export type Pop3Verb = Pop3Command['verb'];

export type ParseResult =
  | { readonly ok: true; readonly command: Pop3Command }
  | { readonly ok: false; readonly error: 'unknown-command' }
  | { readonly ok: false; readonly error: 'bad-arguments'; readonly verb: Pop3Verb; readonly usage: string };

const USAGE: Record<Pop3Verb, string> = {
  USER: 'USER name',
  PASS: 'PASS password',
  AUTH: 'AUTH [mechanism [initial-response]]',
  STLS: 'STLS',
  CAPA: 'CAPA',
  STAT: 'STAT',
  LIST: 'LIST [msg]',
  UIDL: 'UIDL [msg]',
  RETR: 'RETR msg',
  TOP: 'TOP msg n',
  DELE: 'DELE msg',
  NOOP: 'NOOP',
  RSET: 'RSET',
  QUIT: 'QUIT',
};

function isVerb(word: string): word is Pop3Verb {
  return Object.hasOwn(USAGE, word);
}

/** RFC 1939 §3: message numbers are positive decimal integers; also the TOP line count (≥ 0). */
function parseNumber(text: string | undefined, min: number): number | null {
  if (text === undefined || !/^[0-9]{1,9}$/.test(text)) return null;
  const value = Number(text);
  return value >= min ? value : null;
}

function build(verb: Pop3Verb, args: readonly string[], rest: string): Pop3Command | null {
  const [first, second] = args;
  switch (verb) {
    case 'USER':
      return args.length === 1 && first !== '' && first !== undefined ? { verb, name: first } : null;
    case 'PASS':
      // RFC 1939 §7: the password may contain spaces, so it is the whole rest of the line.
      return rest !== '' ? { verb, password: rest } : null;
    case 'AUTH':
      if (args.length > 2 || first === '') return null;
      return { verb, mechanism: first?.toUpperCase() ?? null, initialResponse: second ?? null };
    case 'LIST':
    case 'UIDL': {
      if (args.length === 0) return { verb, messageNumber: null };
      const messageNumber = args.length === 1 ? parseNumber(first, 1) : null;
      return messageNumber === null ? null : { verb, messageNumber };
    }
    case 'RETR':
    case 'DELE': {
      const messageNumber = args.length === 1 ? parseNumber(first, 1) : null;
      return messageNumber === null ? null : { verb, messageNumber };
    }
    case 'TOP': {
      const messageNumber = parseNumber(first, 1);
      const lineCount = parseNumber(second, 0);
      return args.length === 2 && messageNumber !== null && lineCount !== null ? { verb, messageNumber, lineCount } : null;
    }
    case 'STLS':
    case 'CAPA':
    case 'STAT':
    case 'NOOP':
    case 'RSET':
    case 'QUIT':
      return args.length === 0 ? { verb } : null;
  }
}

export function parseCommand(line: string): ParseResult {
  const space = line.indexOf(' ');
  const keyword = (space === -1 ? line : line.slice(0, space)).toUpperCase();
  if (!isVerb(keyword)) return { ok: false, error: 'unknown-command' };
  const rest = space === -1 ? '' : line.slice(space + 1);
  // Lenient about extra blanks between and after arguments; PASS keeps its text exactly.
  const trimmed = rest.trim();
  const args = trimmed === '' ? [] : trimmed.split(/ +/);
  const command = build(keyword, args, rest);
  return command ? { ok: true, command } : { ok: false, error: 'bad-arguments', verb: keyword, usage: USAGE[keyword] };
}
