// BODY/BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) from the structure cached at delivery (with the
// ENVELOPE of attached messages): no message is parsed to answer them.
import { formatEnvelope } from '../../../../core/mail/imap-envelope.js';
import type { MimePart } from '../../../../core/mail/message-structure.js';
import { imapList, imapNString, imapString, type StringOptions } from './imap-strings.js';

// The ENVELOPE serialiser is shared with the mail index, which caches its output (core/mail/imap-envelope.ts).
export { formatEnvelope };

function paramList(params: readonly (readonly [string, string])[], options: StringOptions): string {
  if (params.length === 0) return 'NIL';
  return imapList(params.flatMap(([name, value]) => [imapString(name.toUpperCase(), options), imapString(value, options)]));
}

function extensionFields(part: MimePart, options: StringOptions): string[] {
  const disposition = part.disposition === null ? 'NIL' : imapList([imapString(part.disposition.type.toUpperCase(), options), paramList(part.disposition.params, options)]);
  const language = part.language === null || part.language.length === 0 ? 'NIL' : imapList(part.language.map((l) => imapString(l, options)));
  return [disposition, language, imapNString(part.location, options)];
}

/** BODYSTRUCTURE when `extended`, else the non-extensible BODY form. */
export function formatBodyStructure(part: MimePart, extended: boolean, options: StringOptions): string {
  if (part.type === 'multipart') {
    const children = (part.children ?? []).map((child) => formatBodyStructure(child, extended, options));
    // A multipart without parts is malformed; RFC 3501 still needs at least one body, so show an empty text part.
    const bodies = children.length > 0 ? children.join('') : '("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0)';
    const fields = [imapString(part.subtype.toUpperCase(), options)];
    if (extended) fields.push(paramList(part.params, options), ...extensionFields(part, options));
    return `(${bodies} ${fields.join(' ')})`;
  }
  const fields = [
    imapString(part.type.toUpperCase(), options),
    imapString(part.subtype.toUpperCase(), options),
    paramList(part.params, options),
    imapNString(part.id, options),
    imapNString(part.description, options),
    imapString(part.encoding.toUpperCase(), options),
    String(part.sizeBytes),
  ];
  if (part.type === 'message' && part.message !== undefined && (part.subtype === 'rfc822' || part.subtype === 'global')) {
    fields.push(formatEnvelope(part.message.envelope, options), formatBodyStructure(part.message.root, extended, options), String(part.lines));
  } else if (part.type === 'text') {
    fields.push(String(part.lines));
  }
  if (extended) fields.push(imapNString(part.md5, options), ...extensionFields(part, options));
  return imapList(fields);
}
