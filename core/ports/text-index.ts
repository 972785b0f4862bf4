// Text index port: which messages hold, or may hold, a SEARCH TEXT/BODY needle (RFC 3501 §6.4.4), so
// that SEARCH reads only the messages the index cannot settle. Filled lazily after delivery by core/search/text-indexer.ts (like
// Dovecot's fts indexer), so the delivery path only queues. Adapter: SqliteTextIndex (FTS5 trigrams).
// The AWS set has none: SEARCH reads every message there (docs/imap.md "SEARCH cost").
import type { MessageStructure } from '../mail/message-structure.js';

/** A message waiting for the indexer; `messageRef` is the adapter's opaque handle to it. */
export interface PendingMessageText {
  readonly messageRef: string;
  readonly blobKey: string;
  readonly structure: MessageStructure;
}

/** What the indexer hands back: the folded text (core/mail/search-text.ts), or "never index this one". */
export type ExtractedMessageText =
  | { readonly messageRef: string; readonly header: string; readonly body: string }
  | { readonly messageRef: string; readonly skipped: true };

export interface TextCandidates {
  /** UIDs whose indexed text holds the needle: matches, with nothing to read. Ascending. */
  readonly matches: readonly number[];
  /** UIDs that may hold it, which the index cannot settle: read and verify them. Ascending. */
  readonly candidates: readonly number[];
  /** UIDs the index does not cover (not indexed yet, or skipped): read them. Ascending. */
  readonly unindexed: readonly number[];
}

export interface TextIndex {
  /** Up to `limit` messages waiting to be indexed, oldest first. */
  pendingMessages(limit: number): Promise<PendingMessageText[]>;
  /** Stores the text of pending messages; ones expunged or indexed by another process meanwhile are ignored. */
  storeMessageText(texts: readonly ExtractedMessageText[]): Promise<void>;
  /**
   * Matches and candidates for TEXT (`text`: header and body) or BODY (`body`) in one mailbox; any
   * other indexed message does not hold the needle. null when the needle cannot be looked up (fewer
   * than 3 characters): every message must be read.
   */
  findCandidates(mailboxId: string, scope: 'text' | 'body', needle: string): Promise<TextCandidates | null>;
}
