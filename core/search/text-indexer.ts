// The lazy text indexer (like Dovecot's fts indexer): delivery and APPEND only queue a message
// (one small row); this loop reads queued messages' text from the blob store afterwards and stores it
// in the TextIndex, so indexing never slows the SMTP/delivery path. SEARCH reads what is still queued.
import type { Logger } from '../log/logger.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { ExtractedMessageText, PendingMessageText, TextIndex } from '../ports/text-index.js';
import { readMessageText } from './message-text.js';

export interface TextIndexerOptions {
  /** Messages read and stored per write: small, so one batch never holds the writer lock long. */
  readonly batchSize?: number;
  /** How often an idle indexer looks for new messages. */
  readonly idlePollMs?: number;
  /** Text (characters) beyond which a message is not indexed and SEARCH reads it instead. */
  readonly maxTextChars?: number;
}

const DEFAULTS = { batchSize: 16, idlePollMs: 1_000, maxTextChars: 4 * 1024 * 1024 } as const;

export class TextIndexer {
  readonly #options: Required<TextIndexerOptions>;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;
  #stopped = false;

  constructor(
    private readonly textIndex: TextIndex,
    private readonly blobs: BlobStore,
    private readonly logger: Logger,
    options: TextIndexerOptions = {},
  ) {
    this.#options = { ...DEFAULTS, ...options };
  }

  /** Indexes queued messages until none are left; resolves with how many it handled. */
  async drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      const pending = await this.textIndex.pendingMessages(this.#options.batchSize);
      if (pending.length === 0 || this.#stopped) return handled;
      const texts: ExtractedMessageText[] = [];
      for (const message of pending) texts.push(await this.#extract(message));
      await this.textIndex.storeMessageText(texts);
      handled += pending.length;
    }
  }

  /** Drains now and then every `idlePollMs` until stop(). */
  start(): void {
    const tick = () => {
      this.#running = this.drain()
        .catch((error: unknown) => this.logger.warn('text indexer pass failed', { error }))
        .finally(() => {
          this.#running = null;
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#options.idlePollMs).unref();
        });
    };
    this.#stopped = false;
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    await this.#running;
  }

  async #extract(message: PendingMessageText): Promise<ExtractedMessageText> {
    try {
      const text = await readMessageText(this.blobs, message, this.#options.maxTextChars);
      return text === null ? { messageRef: message.messageRef, skipped: true } : { messageRef: message.messageRef, ...text };
    } catch (error) {
      // An unreadable blob is skipped for good: SEARCH reads (and reports on) it itself.
      this.logger.warn('text indexer skipped a message', { blobKey: message.blobKey, error });
      return { messageRef: message.messageRef, skipped: true };
    }
  }
}
