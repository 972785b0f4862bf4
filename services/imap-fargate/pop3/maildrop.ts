// The POP3 maildrop: the user's INBOX as a snapshot taken at login (RFC 1939 §4, "the server then
// acquires ... the maildrop"). Message numbers, sizes and UIDLs stay fixed for the session; DELE and
// RSET only touch marks here; commit() (QUIT in the UPDATE state, §6) expunges exactly the marked
// UIDs through the MailIndex, so IMAP sessions see them vanish (the composition root wraps the index
// with withChangeNotifications, which wakes their IDLE). Concurrent sessions each keep their
// own consistent snapshot; no lock is taken (docs/pop3.md explains why).
import type { MailIndex, MessageSummary } from '../../../core/ports/mail-index.js';

export const INBOX = 'INBOX';

export interface MaildropMessage {
  /** 1-based message number of this session (RFC 1939 §3). */
  readonly number: number;
  readonly uid: number;
  /** Octets RETR sends before dot-stuffing: the stored size (docs/pop3.md, "Octet counts"). */
  readonly sizeBytes: number;
  readonly blobKey: string;
  /** RFC 1939 §7 unique-id: `UIDVALIDITY.UID`, stable as long as the message exists. */
  readonly uidl: string;
}

export interface CommitResult {
  readonly expungedCount: number;
}

export class Maildrop {
  private readonly deleted = new Set<number>();
  private readonly retrieved = new Set<number>();

  private constructor(
    private readonly mailboxId: string | null,
    private readonly messages: readonly MaildropMessage[],
  ) {}

  /** Snapshot of the user's INBOX; a user without one has an empty maildrop. */
  static async open(mailIndex: MailIndex, userId: string): Promise<Maildrop> {
    const inbox = await mailIndex.getMailbox(userId, INBOX);
    if (inbox === null) return new Maildrop(null, []);
    const summaries: MessageSummary[] = [];
    let afterUid: number | undefined;
    do {
      const page = await mailIndex.listMessages(inbox.id, afterUid === undefined ? {} : { afterUid });
      summaries.push(...page.messages);
      afterUid = page.nextAfterUid ?? undefined;
    } while (afterUid !== undefined);
    const messages = summaries.map((summary, index) => ({
      number: index + 1,
      uid: summary.uid,
      sizeBytes: summary.sizeBytes,
      blobKey: summary.blobKey,
      uidl: `${inbox.uidValidity}.${summary.uid}`,
    }));
    return new Maildrop(inbox.id, messages);
  }

  /** The message with this number, or why there is none. */
  lookup(messageNumber: number): MaildropMessage | 'no-such-message' | 'deleted' {
    const message = this.messages[messageNumber - 1];
    if (message === undefined) return 'no-such-message';
    return this.deleted.has(message.number) ? 'deleted' : message;
  }

  /** Messages not marked deleted, in number order (RFC 1939 §5: deleted ones are not listed). */
  live(): MaildropMessage[] {
    return this.messages.filter((message) => !this.deleted.has(message.number));
  }

  stat(): { readonly count: number; readonly sizeBytes: number } {
    const live = this.live();
    return { count: live.length, sizeBytes: live.reduce((sum, message) => sum + message.sizeBytes, 0) };
  }

  markDeleted(message: MaildropMessage): void {
    this.deleted.add(message.number);
  }

  markRetrieved(message: MaildropMessage): void {
    this.retrieved.add(message.number);
  }

  /** RSET (RFC 1939 §5): unmark every message marked deleted. */
  resetDeletions(): void {
    this.deleted.clear();
  }

  /**
   * The UPDATE state (RFC 1939 §6): flags retrieved messages \Seen (as IMAP would after a full
   * FETCH), sets \Deleted on the marked UIDs and expunges exactly those. UIDs another session
   * already expunged are simply no longer there.
   */
  async commit(mailIndex: MailIndex): Promise<CommitResult> {
    if (this.mailboxId === null) return { expungedCount: 0 };
    const uidsOf = (numbers: Iterable<number>) => [...numbers].map((number) => this.messages[number - 1]?.uid ?? 0).filter((uid) => uid > 0);
    const seenUids = uidsOf([...this.retrieved].filter((number) => !this.deleted.has(number)));
    const deletedUids = uidsOf(this.deleted);
    if (seenUids.length > 0) await mailIndex.updateFlags(this.mailboxId, { uids: seenUids, operation: 'add', flags: ['\\Seen'] });
    if (deletedUids.length === 0) return { expungedCount: 0 };
    await mailIndex.updateFlags(this.mailboxId, { uids: deletedUids, operation: 'add', flags: ['\\Deleted'] });
    const { expunged } = await mailIndex.expunge(this.mailboxId, deletedUids);
    return { expungedCount: expunged.length };
  }
}
