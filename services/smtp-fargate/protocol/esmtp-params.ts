// MAIL FROM / RCPT TO paths and ESMTP parameters (RFC 5321 §4.1.2 and §3.3; SIZE RFC 1870 §6,
// BODY RFC 6152 §2 and RFC 3030 §3, SMTPUTF8 RFC 6531 §3.4, RET/ENVID/NOTIFY/ORCPT RFC 3461 §4,
// REQUIRETLS RFC 8689 §3).
import type { BodyType, CommandParseErrorCode, DsnNotify, MailParams, MailPath, RcptParams } from './commands.js';
import { decodeXtext } from './xtext.js';

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: CommandParseErrorCode; readonly detail: string };

const MAX_ENVID_CHARS = 100; // RFC 3461 §4.4
const MAX_ORCPT_CHARS = 500; // RFC 3461 §4.2

function fail(error: CommandParseErrorCode, detail: string): Parsed<never> {
  return { ok: false, error, detail };
}

/**
 * Splits `<path> [params]` after `FROM:` / `TO:`. Accepts one space after the colon, which
 * RFC 5321 forbids but common clients send (RFC 5321 §4.1.1: be liberal where it is harmless).
 */
export function parsePathAndParams(rest: string, allowNull: boolean): Parsed<{ path: MailPath; params: Map<string, string | null> }> {
  const trimmed = rest.replace(/^ /u, '');
  if (!trimmed.startsWith('<')) return fail('syntax', 'address must be enclosed in <>');
  const close = findPathEnd(trimmed);
  if (close < 0) return fail('syntax', 'missing > after the address');
  const inner = trimmed.slice(1, close).replace(/^@[^:]*:/u, ''); // drop an RFC 5321 §C source route
  const params = parseParamList(trimmed.slice(close + 1));
  if (!params.ok) return params;
  if (inner === '') {
    if (!allowNull) return fail('bad-recipient-syntax', 'empty recipient address');
    return { ok: true, value: { path: { address: '', hasNonAscii: false }, params: params.value } };
  }
  if (!isMailbox(inner)) return fail(allowNull ? 'bad-sender-syntax' : 'bad-recipient-syntax', `malformed address <${inner}>`);
  return { ok: true, value: { path: { address: inner, hasNonAscii: /[^\p{ASCII}]/u.test(inner) }, params: params.value } };
}

/** Index of the `>` closing the path, skipping quoted local parts (`<"a>b"@x>`). */
function findPathEnd(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && quoted) i++;
    else if (char === '"') quoted = !quoted;
    else if (char === '>' && !quoted) return i;
  }
  return -1;
}

/** RFC 5321 §4.1.2 Mailbox = Local-part "@" ( Domain / address-literal ), loosely. */
function isMailbox(text: string): boolean {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return false;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  const localOk = /^"(?:[^"\\\r\n]|\\.)*"$/u.test(local) || /^[^\s"(),:;<>@[\\\]]+$/u.test(local);
  const domainOk = /^\[[^\]\s]+\]$/u.test(domain) || /^[^\s@<>()[\]\\,;:"]+$/u.test(domain);
  return localOk && domainOk && !domain.startsWith('.') && !domain.includes('..');
}

function parseParamList(text: string): Parsed<Map<string, string | null>> {
  const params = new Map<string, string | null>();
  for (const word of text.split(' ').filter((w) => w !== '')) {
    const eq = word.indexOf('=');
    const keyword = (eq < 0 ? word : word.slice(0, eq)).toUpperCase();
    if (!/^[A-Z0-9][A-Z0-9-]*$/u.test(keyword)) return fail('syntax', `malformed parameter ${JSON.stringify(word)}`);
    if (params.has(keyword)) return fail('syntax', `parameter ${keyword} given twice`);
    params.set(keyword, eq < 0 ? null : word.slice(eq + 1));
  }
  return { ok: true, value: params };
}

export function toMailParams(params: Map<string, string | null>): Parsed<MailParams> {
  let sizeBytes: number | undefined;
  let body: BodyType | undefined;
  let smtpUtf8 = false;
  let requireTls = false;
  let dsnReturn: 'FULL' | 'HDRS' | undefined;
  let dsnEnvelopeId: string | undefined;
  for (const [keyword, value] of params) {
    switch (keyword) {
      case 'SIZE':
        if (value === null || !/^\d{1,15}$/u.test(value)) return fail('syntax', 'SIZE needs a number of octets');
        sizeBytes = Number(value);
        break;
      case 'BODY': {
        const upper = value?.toUpperCase();
        if (upper !== '7BIT' && upper !== '8BITMIME' && upper !== 'BINARYMIME') return fail('syntax', 'BODY must be 7BIT, 8BITMIME or BINARYMIME');
        body = upper;
        break;
      }
      case 'SMTPUTF8':
        if (value !== null) return fail('syntax', 'SMTPUTF8 takes no value');
        smtpUtf8 = true;
        break;
      case 'REQUIRETLS': // whether the session allows it is the MAIL handler's call (TLS state)
        if (value !== null) return fail('syntax', 'REQUIRETLS takes no value');
        requireTls = true;
        break;
      case 'RET': {
        const upper = value?.toUpperCase();
        if (upper !== 'FULL' && upper !== 'HDRS') return fail('syntax', 'RET must be FULL or HDRS');
        dsnReturn = upper;
        break;
      }
      case 'ENVID': {
        const decoded = value === null ? null : decodeXtext(value);
        if (decoded === null || decoded.length > MAX_ENVID_CHARS) return fail('syntax', 'ENVID must be xtext of at most 100 characters');
        dsnEnvelopeId = decoded;
        break;
      }
      case 'AUTH': // RFC 4954 §5: the original submitter; we trust our own AUTH instead, so it is ignored.
        break;
      default:
        return fail('unknown-parameter', `parameter ${keyword} is not supported`);
    }
  }
  return { ok: true, value: { sizeBytes, body, smtpUtf8, requireTls, dsnReturn, dsnEnvelopeId } };
}

const NOTIFY_VALUES = new Set<DsnNotify>(['NEVER', 'SUCCESS', 'FAILURE', 'DELAY']);

export function toRcptParams(params: Map<string, string | null>): Parsed<RcptParams> {
  let notify: DsnNotify[] | undefined;
  let orcpt: string | undefined;
  for (const [keyword, value] of params) {
    if (keyword === 'NOTIFY') {
      const values = (value ?? '').toUpperCase().split(',') as DsnNotify[];
      // RFC 3461 §4.1: NEVER stands alone.
      if (!values.every((v) => NOTIFY_VALUES.has(v)) || (values.includes('NEVER') && values.length > 1)) return fail('syntax', 'NOTIFY must be NEVER or a list of SUCCESS, FAILURE, DELAY');
      notify = values;
    } else if (keyword === 'ORCPT') {
      const semicolon = value?.indexOf(';') ?? -1;
      const decoded = value === null || semicolon <= 0 ? null : decodeXtext(value.slice(semicolon + 1));
      if (value === null || decoded === null || value.length > MAX_ORCPT_CHARS) return fail('syntax', 'ORCPT must be addr-type;xtext');
      orcpt = `${value.slice(0, semicolon)};${decoded}`;
    } else {
      return fail('unknown-parameter', `parameter ${keyword} is not supported`);
    }
  }
  return { ok: true, value: { notify, orcpt } };
}
