// Text index port: which messages may hold a SEARCH TEXT/BODY needle (RFC 3501 §6.4.4), so that SEARCH
// reads only those messages. Filled lazily after delivery by core/search/text-indexer.ts (like
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
  /** UIDs whose indexed text holds the needle (or, when not `exact`, may hold it), ascending. */
  readonly candidates: readonly number[];
  /**
   * True when `candidates` are exactly the matches among indexed messages (the usual case); false
   * when the index can only narrow the search (e.g. a needle with a line break): read and verify them.
   */
  readonly exact: boolean;
  /** UIDs the index does not cover (not indexed yet, or skipped): read them. Ascending. */
  readonly unindexed: readonly number[];
}

export interface TextIndex {
  /** Up to `limit` messages waiting to be indexed, oldest first. */
  pendingMessages(limit: number): Promise<PendingMessageText[]>;
  /** Stores the text of pending messages; ones expunged or indexed by another process meanwhile are ignored. */
  storeMessageText(texts: readonly ExtractedMessageText[]): Promise<void>;
  /**
   * Candidates for TEXT (`text`: header and body) or BODY (`body`) in one mailbox. null when the
   * needle is too short for the index (fewer than 3 characters): every message must be read.
   */
  findCandidates(mailboxId: string, scope: 'text' | 'body', needle: string): Promise<TextCandidates | null>;
}
