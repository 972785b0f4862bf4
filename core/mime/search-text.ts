// The header text SEARCH compares against (RFC 3501 §6.4.4): values after RFC 2047 decoding, folded
// to lower case. Both mail index adapters store these at append time, so a SUBJECT/FROM/TO/CC/BCC
// search is one indexed query instead of a pass over every cached envelope.
import type { Envelope, EnvelopeAddress } from '../mail/message-structure.js';
import { foldForSearch, type IndexedSearchHeader } from '../mail/search-text.js';
import { decodeEncodedWords } from './encoded-words.js';

/** `Name <mailbox@host>, …` with decoded display names; group markers (host null) keep only their name. */
function addressText(addresses: readonly EnvelopeAddress[] | null): string | null {
  if (addresses === null) return null;
  return addresses
    .filter((a) => a.host !== null || a.mailbox !== null)
    .map((a) => {
      const name = a.name === null ? '' : decodeEncodedWords(a.name);
      return a.host === null ? `${a.mailbox ?? ''}:` : `${name} <${a.mailbox ?? ''}@${a.host}>`.trimStart();
    })
    .join(', ');
}

/** The searchable, folded value of each indexed header; null when the message has no such field. */
export function envelopeSearchText(envelope: Envelope): Record<IndexedSearchHeader, string | null> {
  const fold = (text: string | null) => (text === null ? null : foldForSearch(text));
  return {
    subject: fold(envelope.subject === null ? null : decodeEncodedWords(envelope.subject)),
    from: fold(addressText(envelope.from)),
    to: fold(addressText(envelope.to)),
    cc: fold(addressText(envelope.cc)),
    bcc: fold(addressText(envelope.bcc)),
  };
}
