// Sequence sets (RFC 3501 §9 `sequence-set`, RFC 9051 adds `$` = the last SEARCH result, RFC 5182).
// `*` is the largest number in use; `n:m` is the same as `m:n`.

export type SequenceBound = number | '*';

export interface SequenceRange {
  readonly from: SequenceBound;
  readonly to: SequenceBound;
}

/** A parsed set, or `$` for the saved search result. */
export type SequenceSet = { readonly kind: 'ranges'; readonly ranges: readonly SequenceRange[] } | { readonly kind: 'saved' };

const NUMBER = /^[1-9][0-9]{0,9}$/u;
const MAX_NZ_NUMBER = 4294967295;

function parseBound(text: string): SequenceBound | null {
  if (text === '*') return '*';
  if (!NUMBER.test(text)) return null;
  const value = Number(text);
  return value <= MAX_NZ_NUMBER ? value : null;
}

export function parseSequenceSet(text: string): SequenceSet | null {
  if (text === '$') return { kind: 'saved' };
  if (text === '') return null;
  const ranges: SequenceRange[] = [];
  for (const item of text.split(',')) {
    const [fromText, toText, extra] = item.split(':');
    if (extra !== undefined || fromText === undefined) return null;
    const from = parseBound(fromText);
    const to = toText === undefined ? from : parseBound(toText);
    if (from === null || to === null) return null;
    ranges.push({ from, to });
  }
  return { kind: 'ranges', ranges };
}

/** True when `value` is in the set, with `*` meaning `largest`. */
export function sequenceSetContains(set: readonly SequenceRange[], value: number, largest: number): boolean {
  for (const range of set) {
    const a = range.from === '*' ? largest : range.from;
    const b = range.to === '*' ? largest : range.to;
    if (value >= Math.min(a, b) && value <= Math.max(a, b)) return true;
  }
  return false;
}

/** Formats ascending numbers compactly (`1:3,7`), as in COPYUID or ESEARCH ALL. */
export function formatSequenceSet(values: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    const start = values[i] as number;
    let end = start;
    while (i + 1 < values.length && values[i + 1] === end + 1) end = values[++i] as number;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return parts.join(',');
}
