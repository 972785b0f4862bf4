// A session's picture of its selected mailbox: the sequence number ↔ UID map (RFC 3501 §2.3.1.2)
// and what it has told the client. sync() turns index changes into untagged EXISTS, EXPUNGE or
// VANISHED (RFC 7162 §3.2.10) and FETCH FLAGS, holding expunges back while a FETCH, STORE or
// SEARCH runs (RFC 3501 §7.4.1), so the client's sequence numbers never go out of step.
import type { Mailbox, MailIndex } from '../../../../core/ports/index.js';
import { formatSequenceSet, sequenceSetContains, type SequenceSet } from '../protocol/sequence-set.js';
import { RecentUids } from './recent-uids.js';
import { bad } from './replies.js';

export interface SyncOptions {
  readonly allowExpunge: boolean;
  readonly qresync: boolean;
  readonly condstore: boolean;
  readonly formatFlags: (uid: number, flags: readonly string[]) => string;
}

export class MailboxView {
  /**
   * UIDs in ascending order; position + 1 is the sequence number. Expunged UIDs stay until reported.
   * A Uint32Array (UIDs are 32-bit, RFC 3501 §2.3.1.1): 4 bytes a message, not 8, in every IDLE session.
   */
  private uids: Uint32Array;
  /** UIDs the index has expunged that the client has not been told about yet. */
  private readonly expungedUnreported = new Set<number>();
  /** UID → MODSEQ this session already reported in its own FETCH/STORE replies. */
  private readonly reportedModseq = new Map<number, number>();
  /** The index has changed since the last sync (set by the change feed and by our own writes). */
  dirty = false;
  /** Messages that are \Recent in this session (IMAP4rev1 only; RFC 9051 dropped \Recent). */
  readonly recent = new RecentUids();
  /** RFC 5182 SEARCHRES `$`: UIDs saved by the last SEARCH ... RETURN (SAVE). */
  savedUids: number[] = [];

  private constructor(
    readonly mailbox: Mailbox,
    readonly readOnly: boolean,
    uids: readonly number[],
    private knownModseq: number,
  ) {
    this.uids = Uint32Array.from(uids);
  }

  static async open(index: MailIndex, mailbox: Mailbox, readOnly: boolean): Promise<MailboxView> {
    const uids = await index.listUids(mailbox.id);
    return new MailboxView(mailbox, readOnly, uids, mailbox.highestModseq);
  }

  get exists(): number {
    return this.uids.length;
  }

  get highestModseq(): number {
    return this.knownModseq;
  }

  /** The number of \Recent messages among those the client knows (the `* n RECENT` response). */
  get recentCount(): number {
    return this.recent.countAmong(this.uids);
  }

  /** Every UID the client knows, ascending. */
  get allUids(): readonly number[] {
    return Array.from(this.uids);
  }

  get largestUid(): number {
    return this.uids[this.uids.length - 1] ?? 0;
  }

  /** 1-based sequence number of a UID, or 0 when the session does not know it. */
  sequenceOf(uid: number): number {
    let low = 0;
    let high = this.uids.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const value = this.uids[mid] as number;
      if (value === uid) return mid + 1;
      if (value < uid) low = mid + 1;
      else high = mid - 1;
    }
    return 0;
  }

  isExpunged(uid: number): boolean {
    return this.expungedUnreported.has(uid);
  }

  /** The UIDs a sequence set names, ascending; by UID, numbers beyond the mailbox are ignored (RFC 3501 §6.4.8). */
  resolve(set: SequenceSet, byUid: boolean): number[] {
    if (set.kind === 'saved') return this.savedUids.filter((uid) => this.sequenceOf(uid) > 0);
    if (byUid) {
      const largest = this.uids[this.uids.length - 1] ?? 0;
      // `*` names the largest UID even when the range starts above it (RFC 3501 §6.4.8, `UID FETCH 9999:*`).
      return Array.from(this.uids.filter((uid) => sequenceSetContains(set.ranges, uid, largest)));
    }
    const count = this.uids.length;
    for (const range of set.ranges) {
      for (const bound of [range.from, range.to]) {
        if (bound !== '*' && bound > count) throw bad(count === 0 ? 'The mailbox is empty: no sequence numbers are valid' : `Message sequence number ${bound} is beyond ${count}`);
      }
      if (count === 0) throw bad('The mailbox is empty: no sequence numbers are valid');
    }
    const out: number[] = [];
    for (let seq = 1; seq <= count; seq++) if (sequenceSetContains(set.ranges, seq, count)) out.push(this.uids[seq - 1] as number);
    return out;
  }

  /** Our own STORE/FETCH already told the client about this MODSEQ: do not repeat it as an unsolicited FETCH. */
  noteReported(uid: number, modseq: number): void {
    this.reportedModseq.set(uid, modseq);
  }

  /** Adds UIDs this session created itself (COPY into the selected mailbox, APPEND) without a round trip. */
  markDirty(): void {
    this.dirty = true;
  }

  /** Fetches changes from the index and returns the untagged responses that tell the client. */
  async sync(index: MailIndex, options: SyncOptions): Promise<string[]> {
    const lines: string[] = [];
    if (this.dirty || options.allowExpunge) {
      this.dirty = false;
      const changes = await index.changesSince(this.mailbox.id, this.knownModseq);
      this.knownModseq = Math.max(this.knownModseq, changes.highestModseq);
      for (const uid of changes.vanishedComplete ? changes.vanished : await this.uidsGone(index)) {
        if (this.sequenceOf(uid) > 0) this.expungedUnreported.add(uid);
      }
      const last = this.uids[this.uids.length - 1] ?? 0;
      const added: number[] = [];
      for (const message of changes.changed) {
        if (message.uid > last) {
          added.push(message.uid);
          continue;
        }
        const seq = this.sequenceOf(message.uid);
        if (seq === 0 || this.expungedUnreported.has(message.uid) || this.reportedModseq.get(message.uid) === message.modseq) continue;
        const modseq = options.condstore ? ` MODSEQ (${message.modseq})` : '';
        lines.push(`* ${seq} FETCH (UID ${message.uid} FLAGS ${options.formatFlags(message.uid, message.flags)}${modseq})\r\n`);
      }
      this.reportedModseq.clear();
      if (options.allowExpunge) lines.unshift(...this.reportExpunges(options.qresync));
      if (added.length > 0) {
        const grown = new Uint32Array(this.uids.length + added.length);
        grown.set(this.uids);
        grown.set(added, this.uids.length);
        this.uids = grown;
        lines.push(`* ${this.uids.length} EXISTS\r\n`);
      }
    }
    return lines;
  }

  /**
   * The index forgot expunges newer than this session's MODSEQ (a session open longer than the
   * expunge memory): compare the whole UID list instead (RFC 7162 §3.2.5.2).
   */
  private async uidsGone(index: MailIndex): Promise<number[]> {
    const present = new Set(await index.listUids(this.mailbox.id));
    return Array.from(this.uids).filter((uid) => !present.has(uid));
  }

  /** Forgets UIDs expunged by this session's own EXPUNGE/MOVE and returns the responses for them. */
  expungedHere(uids: readonly number[], qresync: boolean): string[] {
    for (const uid of uids) if (this.sequenceOf(uid) > 0) this.expungedUnreported.add(uid);
    return this.reportExpunges(qresync);
  }

  private reportExpunges(qresync: boolean): string[] {
    if (this.expungedUnreported.size === 0) return [];
    const gone = [...this.expungedUnreported].sort((a, b) => a - b);
    this.expungedUnreported.clear();
    const lines: string[] = [];
    if (qresync) {
      lines.push(`* VANISHED ${formatSequenceSet(gone)}\r\n`);
    } else {
      // Highest first, so each number is valid at the moment it is sent (RFC 3501 §7.4.1).
      for (let i = gone.length - 1; i >= 0; i--) lines.push(`* ${this.sequenceOf(gone[i] as number)} EXPUNGE\r\n`);
    }
    const goneSet = new Set(gone);
    this.uids = this.uids.filter((uid) => !goneSet.has(uid));
    return lines;
  }
}
