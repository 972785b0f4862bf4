// The messages that are \Recent in this session (RFC 3501 §2.3.2): the UID ranges it claimed from the
// index (MailIndex.claimRecent) at SELECT and as new messages arrived, or, under EXAMINE, the ones
// nobody had claimed when the mailbox was opened (EXAMINE must not take \Recent away, RFC 3501 §6.3.2).
// Ranges, not a set of UIDs: a first SELECT of an imported mailbox may make thousands recent at once.
import type { RecentClaim } from '../../../../core/ports/index.js';

export class RecentUids {
  private readonly ranges: RecentClaim[] = [];

  add(claim: RecentClaim): void {
    if (claim.firstUid <= claim.lastUid) this.ranges.push(claim);
  }

  has(uid: number): boolean {
    return this.ranges.some((range) => uid >= range.firstUid && uid <= range.lastUid);
  }

  /** How many of `uids` (the session's current messages) are recent: the `* n RECENT` number. */
  countAmong(uids: ArrayLike<number>): number {
    if (this.ranges.length === 0) return 0;
    let count = 0;
    for (let i = 0; i < uids.length; i++) if (this.has(uids[i] as number)) count++;
    return count;
  }
}
