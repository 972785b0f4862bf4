// Change feed port: wakes IMAP IDLE (and NOOP polling) sessions when a mailbox changes, across
// processes. Cost must be O(processes), not O(connections) (design brief §4.6): each process
// watches the mailboxes its sessions have selected with one poller/subscription, and fans out in memory.
// Adapters: the local in-process feed and the DynamoDB-polled feed.

export interface MailboxChange {
  readonly userId: string;
  readonly mailboxId: string;
  /** The mailbox's HIGHESTMODSEQ after the change. */
  readonly highestModseq: number;
}

export interface ChangeFeed {
  publish(change: MailboxChange): Promise<void>;
  /** Calls `listener` for changes of `mailboxId` (possibly coalesced); returns the unwatch function. */
  watch(mailboxId: string, listener: (change: MailboxChange) => void): () => void;
  close(): Promise<void>;
}
