// Maps a BODY[section] (RFC 3501 §6.4.5 section-spec) onto byte ranges of the stored blob using the
// cached MIME offsets, so a body part is one ranged read and never a re-parse.
import type { MimePart, MessageStructure } from '../../../../core/mail/message-structure.js';
import type { BodySection } from '../protocol/fetch-items.js';

export type SectionSource =
  | { readonly kind: 'range'; readonly start: number; readonly end: number }
  /** HEADER.FIELDS (.NOT): read the header range and keep (or drop) the named fields. */
  | { readonly kind: 'header-fields'; readonly start: number; readonly end: number; readonly fields: readonly string[]; readonly not: boolean }
  /** The section does not exist in this message: answered with an empty string (RFC 3501 §6.4.5). */
  | { readonly kind: 'empty' };

/** The part a section's numbers name (RFC 3501 §6.4.5), or null when the message has no such part. */
export function findPart(root: MimePart, path: readonly number[]): MimePart | null {
  let current = root;
  for (let i = 0; i < path.length; i++) {
    const n = path[i] as number;
    let container = current;
    // A message/rfc822 part's numbers address the parts of the message inside it.
    if (i > 0 && current.message !== undefined) container = current.message.root;
    if (container.type === 'multipart') {
      const child = container.children?.[n - 1];
      if (child === undefined) return null;
      current = child;
    } else if (n === 1 && (i === 0 || container !== current)) {
      current = container; // part 1 of a single-part message is its body
    } else {
      return null;
    }
  }
  return current;
}

export function sectionSource(structure: MessageStructure, section: BodySection, messageBytes: number): SectionSource {
  if (section.part.length === 0 && section.text === 'all') return { kind: 'range', start: 0, end: messageBytes };
  const part = section.part.length === 0 ? structure.root : findPart(structure.root, section.part);
  if (part === null) return { kind: 'empty' };
  switch (section.text) {
    case 'all':
      return { kind: 'range', start: part.bodyStart, end: part.bodyEnd };
    case 'mime':
      return { kind: 'range', start: part.headerStart, end: part.bodyStart };
    default: {
      // HEADER and TEXT of a part number apply to the message inside a message/rfc822 part.
      const message = section.part.length === 0 ? part : part.message?.root;
      if (message === undefined) return { kind: 'empty' };
      if (section.text === 'text') return { kind: 'range', start: message.bodyStart, end: message.bodyEnd };
      if (section.text === 'header') return { kind: 'range', start: message.headerStart, end: message.bodyStart };
      return { kind: 'header-fields', start: message.headerStart, end: message.bodyStart, fields: section.fields, not: section.text === 'header-fields-not' };
    }
  }
}

