// ChangeFeed on DynamoDB, O(processes) not O(connections) (design brief §4.6). publish() costs nothing
// remote: the mail index already bumped the mailbox's HIGHESTMODSEQ in DynamoDB, and listeners in this
// process are told at once. One poller per process reads the HIGHESTMODSEQ of every watched mailbox
// with BatchGetItem (100 mailboxes per call) every pollIntervalMs and wakes the listeners of those that
// moved, however many sessions watch them. DynamoDB Streams cannot do this: 2 readers per shard.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChangeFeed, MailboxChange } from '../../ports/change-feed.js';
import { batchGetAll } from './dynamo-batch.js';
import { mailboxKey } from './dynamo-mail-items.js';
import { mailboxesTable, tableName } from './table-design.js';

export interface DynamoChangeFeedOptions {
  /** How often the process polls (IDLE push latency); ~1 s keeps idle cost at ~1 read/s per process. */
  readonly pollIntervalMs?: number;
  /** Told about poll failures (the poller keeps going). */
  readonly onPollError?: (error: unknown) => void;
}

type Listener = (change: MailboxChange) => void;

export class DynamoChangeFeed implements ChangeFeed {
  private readonly table: string;
  private readonly pollIntervalMs: number;
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Last HIGHESTMODSEQ seen per watched mailbox; absent until the first poll after watch(). */
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Poll rounds and BatchGetItem calls so far: what idle costs (tests and metrics read it). */
  readonly stats = { polls: 0, batchGetCalls: 0 };

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    tablePrefix: string,
    private readonly options: DynamoChangeFeedOptions = {},
  ) {
    this.table = tableName(tablePrefix, mailboxesTable);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  async publish(change: MailboxChange): Promise<void> {
    this.notify(change);
  }

  watch(mailboxId: string, listener: Listener): () => void {
    let set = this.listeners.get(mailboxId);
    if (!set) {
      this.listeners.set(mailboxId, (set = new Set()));
      // Read the starting point now rather than at the next tick, so a change landing right after
      // watch() is compared against the state before it and announced.
      this.readBaseline(mailboxId).catch((error: unknown) => this.options.onPollError?.(error));
    }
    set.add(listener);
    this.schedule();
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(mailboxId) === set) {
        this.listeners.delete(mailboxId);
        this.seen.delete(mailboxId);
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private notify(change: MailboxChange): void {
    const last = this.seen.get(change.mailboxId);
    if (last !== undefined && change.highestModseq <= last) return;
    if (this.listeners.has(change.mailboxId)) this.seen.set(change.mailboxId, change.highestModseq);
    for (const listener of [...(this.listeners.get(change.mailboxId) ?? [])]) {
      try {
        listener(change);
      } catch (error) {
        this.options.onPollError?.(error);
      }
    }
  }

  private schedule(): void {
    if (this.timer || this.closed || this.listeners.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.poll()
        .catch((error: unknown) => this.options.onPollError?.(error))
        .finally(() => this.schedule());
    }, this.pollIntervalMs);
    // Watching must not keep a process alive on its own.
    this.timer.unref();
  }

  private async readBaseline(mailboxId: string): Promise<void> {
    const [item] = await batchGetAll(this.dynamo, this.table, [mailboxKey(mailboxId)], { consistent: true, projection: 'highestModseq' });
    if (item && this.listeners.has(mailboxId) && !this.seen.has(mailboxId)) this.seen.set(mailboxId, item.highestModseq as number);
  }

  /** One round: mailboxes whose HIGHESTMODSEQ rose since the last round (or the baseline) are announced. */
  async poll(): Promise<void> {
    const ids = [...this.listeners.keys()];
    if (ids.length === 0) return;
    this.stats.polls++;
    this.stats.batchGetCalls += Math.ceil(ids.length / 100);
    const items = await batchGetAll(this.dynamo, this.table, ids.map(mailboxKey), {
      consistent: false,
      projection: 'id, userId, highestModseq',
    });
    for (const item of items) {
      if (!this.seen.has(item.id as string)) {
        // No baseline yet (its read failed or is in flight): this observation becomes it.
        this.seen.set(item.id as string, item.highestModseq as number);
        continue;
      }
      this.notify({ mailboxId: item.id as string, userId: item.userId as string, highestModseq: item.highestModseq as number });
    }
  }
}
