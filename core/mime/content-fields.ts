// The MIME fields of one entity (RFC 2045 §5–§6, RFC 2183, RFC 3282, RFC 2557, RFC 1864) read from
// its header, as BODYSTRUCTURE reports them (RFC 3501 §7.4.2): media type with parameters, id,
// description, transfer encoding, MD5, disposition, language and location.
import type { ContentDisposition } from '../mail/message-structure.js';
import type { HeaderValues } from './header-block.js';
import { parseParameterizedValue, type Parameter } from './parameters.js';

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

function mediaType(raw: string | null, fallback: DefaultContentType): { type: string; subtype: string; params: Parameter[] } {
  const parsed = raw === null ? null : parseParameterizedValue(raw);
  const value = parsed?.value.toLowerCase() ?? '';
  const slash = value.indexOf('/');
  const type = value.slice(0, Math.max(slash, 0)).trim();
  const subtype = value.slice(slash + 1).trim();
  if (parsed && slash > 0 && TOKEN.test(type) && TOKEN.test(subtype)) return { type, subtype, params: parsed.params };
  const [defaultType = 'text', defaultSubtype = 'plain'] = fallback.split('/');
  return { type: defaultType, subtype: defaultSubtype, params: [] };
}

/** RFC 3282 §2: a comma-separated list of language tags; null when absent or empty. */
function languageTags(value: string | null): string[] | null {
  const tags =
    value === null
      ? []
      : parseParameterizedValue(value)
          .value.split(',')
          .map((tag) => tag.trim())
          .filter(Boolean);
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
    disposition:
      disposition && TOKEN.test(disposition.value.toLowerCase())
        ? { type: disposition.value.toLowerCase(), params: disposition.params }
        : null,
    language: languageTags(language),
    // RFC 2557 §4.4.2: white space inside a folded Content-Location is not part of the URI.
    location: location === null ? null : location.replace(/\s+/g, ''),
  };
}
