// QRESYNC after the index has forgotten old expunges (ChangesSince.vanishedComplete is false): the
// client must still hear of every expunge it may have missed, so the server reports every UID it
// may know of that is no longer in the mailbox (RFC 7162 §3.2.5.2 allows reporting UIDs that were
// expunged earlier, and §3.2.6 for UID FETCH (VANISHED)). Computed as ranges: O(messages + ranges).
import type { SequenceRange } from '../protocol/sequence-set.js';

type Interval = readonly [number, number];

/** The set's ranges as sorted, merged intervals, `*` being `largest`. */
function intervalsOf(ranges: readonly SequenceRange[], largest: number): Interval[] {
  const sorted = ranges
    .map((range): Interval => {
      const a = range.from === '*' ? largest : range.from;
      const b = range.to === '*' ? largest : range.to;
      return [Math.min(a, b), Math.max(a, b)];
    })
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/**
 * UIDs in 1..`upTo` that are not in `present` (ascending), limited to `within` when given (with `*`
 * meaning `largest`), as an IMAP sequence set; '' when there are none.
 */
export function absentUidSet(
  present: ArrayLike<number>,
  upTo: number,
  within?: { ranges: readonly SequenceRange[]; largest: number },
): string {
  const gaps: Interval[] = [];
  let next = 1;
  for (let i = 0; i <= present.length && next <= upTo; i++) {
    const uid = i < present.length ? (present[i] as number) : upTo + 1;
    if (uid > next) gaps.push([next, Math.min(uid - 1, upTo)]);
    next = Math.max(next, uid + 1);
  }
  const wanted = within ? intervalsOf(within.ranges, within.largest) : [[1, upTo] as Interval];
  const parts: string[] = [];
  // Two sorted interval lists: walk both once.
  for (let g = 0, w = 0; g < gaps.length && w < wanted.length;) {
    const from = Math.max(gaps[g]![0], wanted[w]![0]);
    const to = Math.min(gaps[g]![1], wanted[w]![1]);
    if (from <= to) parts.push(from === to ? String(from) : `${from}:${to}`);
    if (gaps[g]![1] < wanted[w]![1]) g++;
    else w++;
  }
  return parts.join(',');
}
