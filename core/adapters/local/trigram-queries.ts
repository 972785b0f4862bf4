// FTS5 queries for a SEARCH TEXT/BODY needle (sqlite-text-index.ts): every trigram of it, ANDed, for
// the table without positions (which messages may hold it), and the needle as one phrase of
// consecutive trigrams for the table with positions (which messages do hold it, as a substring).
import { foldForSearch } from '../../mail/search-text.js';

/** The trigram tokenizer indexes 3-character sequences; shorter needles cannot be looked up. */
export const TRIGRAM = 3;
/** More trigrams narrow little further but make the query longer; the rest is left to verification. */
const MAX_QUERY_TRIGRAMS = 48;
/** Longer needles are not looked up as a phrase (a pasted paragraph): their candidates are verified. */
const MAX_PHRASE_CHARS = 256;
/**
 * Needles a phrase hit does not settle: a line break (the indexer joins parts and header lines with
 * "\n", across which a scan never matches) and lone surrogates (text in the index is well-formed; in
 * a `u` regex a surrogate only matches when it is unpaired).
 */
const NOT_PHRASE = /[\n\uD800-\uDBFF\uDC00-\uDFFF]/u;

export interface TrigramQueries {
  /** Every distinct trigram (up to 48), ANDed: a superset of the messages holding the needle. */
  readonly anyOrder: string;
  /** The needle as one phrase, or null when a phrase hit would not prove a match. */
  readonly phrase: string | null;
  /** The needle is one trigram, so `anyOrder` finds exactly the messages holding it. */
  readonly singleTrigram: boolean;
}

const quoted = (text: string) => `"${text.replace(/"/gu, '""')}"`;

/** Queries for `needle` in one column or both; null when it is too short for trigrams or holds NUL. */
export function trigramQueries(needle: string, column: 'body' | null): TrigramQueries | null {
  const characters = Array.from(foldForSearch(needle));
  // NUL cannot travel inside an FTS5 query string: such a needle is searched by reading.
  if (characters.length < TRIGRAM || needle.includes('\0')) return null;
  const trigrams = new Set<string>();
  for (let i = 0; i + TRIGRAM <= characters.length && trigrams.size < MAX_QUERY_TRIGRAMS; i++) trigrams.add(characters.slice(i, i + TRIGRAM).join(''));
  const inColumn = (query: string) => (column === null ? query : `{${column}}: (${query})`);
  const settled = !NOT_PHRASE.test(needle);
  return {
    anyOrder: inColumn([...trigrams].map(quoted).join(' AND ')),
    phrase: settled && characters.length <= MAX_PHRASE_CHARS ? inColumn(quoted(characters.join(''))) : null,
    singleTrigram: settled && characters.length === TRIGRAM,
  };
}
