// IMAP SEARCH text matching (RFC 3501 §6.4.4, RFC 9051 §6.4.4): a case-insensitive substring match.
// One case folding for stored text and needles alike, so the index and a scan always agree.

/** Header fields the mail index answers SEARCH for (the ENVELOPE fields clients search most). */
export const INDEXED_SEARCH_HEADERS = ['subject', 'from', 'to', 'cc', 'bcc'] as const;
export type IndexedSearchHeader = (typeof INDEXED_SEARCH_HEADERS)[number];

export function foldForSearch(text: string): string {
  return text.toLowerCase();
}
