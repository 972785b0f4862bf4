// JobQueue on one SQLite table shared by every queue (column `queue`), with SQS semantics:
// at-least-once, visibility timeout, delay, receive count, and dead-letter once a job has been
// received maxAttempts times without an ack (SQS redrive maxReceiveCount). send() goes through the
// group committer, so concurrent sends share one transaction and one WAL fsync (docs/storage.md).
import { randomHex } from '../../mail/random-hex.js';
import type { JobQueue, QueueDepth, QueuedJob, ReceiveOptions, SendJobOptions } from '../../ports/job-queue.js';
import { StorageError } from '../../ports/errors.js';
import type { GroupCommitter } from './group-commit.js';
import { type PreparedStatement, type SqliteDatabase, statementCache } from './sqlite-database.js';

/** SQS limits, kept here so that code written against the local queue also runs on SQS. */
const MAX_SEND_DELAY_SECONDS = 900;
const MAX_RETRY_DELAY_SECONDS = 43_200;
const MAX_JOBS_PER_RECEIVE = 10;
const MAX_WAIT_SECONDS = 20;
/** How often a long poll looks for jobs sent by another process (same-process sends wake it at once). */
const LONG_POLL_INTERVAL_MS = 100;

export interface SqliteJobQueueOptions {
  /** Receives without ack after which a job is dead-lettered instead of delivered again. */
  readonly maxAttempts: number;
}

interface JobRow {
  id: number;
  body: string;
  enqueued_at: number;
  attempts: number;
}

export class SqliteJobQueue<T> implements JobQueue<T> {
  readonly #sql: (sql: string) => PreparedStatement;
  readonly #committer: GroupCommitter;
  readonly #queue: string;
  readonly #maxAttempts: number;
  readonly #waiters = new Set<() => void>();

  constructor(db: SqliteDatabase, committer: GroupCommitter, queue: string, options: SqliteJobQueueOptions) {
    this.#sql = statementCache(db);
    this.#committer = committer;
    this.#queue = queue;
    this.#maxAttempts = options.maxAttempts;
  }

  async send(body: T, options: SendJobOptions = {}): Promise<string> {
    const delaySeconds = checkedDelay(options.delaySeconds ?? 0, MAX_SEND_DELAY_SECONDS);
    const json = JSON.stringify(body);
    const now = Date.now();
    const id = await this.#committer.write(
      () =>
        this.#sql('INSERT INTO jobs (queue, body, enqueued_at, visible_at) VALUES (?, ?, ?, ?) RETURNING id')
          .pluck()
          .get(this.#queue, json, now, now + delaySeconds * 1000) as number,
    );
    if (delaySeconds === 0) for (const wake of this.#waiters) wake();
    return String(id);
  }

  async receive(options: ReceiveOptions): Promise<QueuedJob<T>[]> {
    checkedDelay(options.visibilityTimeoutSeconds, MAX_RETRY_DELAY_SECONDS);
    const maxJobs = Math.min(Math.max(Math.floor(options.maxJobs), 1), MAX_JOBS_PER_RECEIVE);
    const deadline = Date.now() + Math.min(Math.max(options.waitSeconds ?? 0, 0), MAX_WAIT_SECONDS) * 1000;
    for (;;) {
      // A plain read first: an idle long poll must not take the write lock every 100 ms. A claim
      // need not wait for the WAL fsync: one lost in a power cut only lets the job reappear sooner.
      const jobs = this.#anyVisible() ? await this.#committer.writeVisible(() => this.#take(maxJobs, options.visibilityTimeoutSeconds)) : [];
      const remainingMs = deadline - Date.now();
      if (jobs.length > 0 || remainingMs <= 0) return jobs;
      await this.#waitForSend(Math.min(remainingMs, LONG_POLL_INTERVAL_MS));
    }
  }

  async ack(job: QueuedJob<T>): Promise<void> {
    const { id, token } = parseReceipt(job.receipt);
    await this.#committer.write(() => this.#sql('DELETE FROM jobs WHERE id = ? AND queue = ? AND receipt = ?').run(id, this.#queue, token));
  }

  async retry(job: QueuedJob<T>, delaySeconds: number): Promise<void> {
    const delay = checkedDelay(delaySeconds, MAX_RETRY_DELAY_SECONDS);
    const { id, token } = parseReceipt(job.receipt);
    await this.#committer.write(() =>
      this.#sql('UPDATE jobs SET visible_at = ?, receipt = NULL WHERE id = ? AND queue = ? AND receipt = ?').run(
        Date.now() + delay * 1000,
        id,
        this.#queue,
        token,
      ),
    );
    if (delay === 0) for (const wake of this.#waiters) wake();
  }

  async depth(): Promise<QueueDepth> {
    const row = this.#sql(
      `SELECT
         coalesce(sum(dead = 0 AND visible_at <= @now), 0) AS ready,
         coalesce(sum(dead = 0 AND visible_at > @now AND receipt IS NOT NULL), 0) AS inFlight,
         coalesce(sum(dead = 0 AND visible_at > @now AND receipt IS NULL), 0) AS delayed,
         coalesce(sum(dead = 1), 0) AS deadLettered
       FROM jobs WHERE queue = @queue`,
    ).get({ now: Date.now(), queue: this.#queue }) as QueueDepth;
    return { ready: row.ready, inFlight: row.inFlight, delayed: row.delayed, deadLettered: row.deadLettered };
  }

  #anyVisible(): boolean {
    return (
      this.#sql('SELECT 1 FROM jobs WHERE queue = ? AND dead = 0 AND visible_at <= ? LIMIT 1').get(this.#queue, Date.now()) !== undefined
    );
  }

  /** Runs inside a write transaction: claims up to maxJobs visible jobs, dead-lettering exhausted ones. */
  #take(maxJobs: number, visibilityTimeoutSeconds: number): QueuedJob<T>[] {
    const now = Date.now();
    const select = this.#sql(
      'SELECT id, body, enqueued_at, attempts FROM jobs WHERE queue = ? AND dead = 0 AND visible_at <= ? ORDER BY visible_at, id LIMIT ?',
    );
    const claim = this.#sql('UPDATE jobs SET attempts = attempts + 1, receipt = ?, visible_at = ? WHERE id = ?');
    const bury = this.#sql('UPDATE jobs SET dead = 1, receipt = NULL WHERE id = ?');
    const jobs: QueuedJob<T>[] = [];
    // Look again only to replace jobs just dead-lettered; claimed jobs are hidden, buried ones excluded.
    let buried: number;
    do {
      buried = 0;
      const rows = select.all(this.#queue, now, maxJobs - jobs.length) as JobRow[];
      for (const row of rows) {
        if (row.attempts >= this.#maxAttempts) {
          bury.run(row.id);
          buried++;
          continue;
        }
        const token = randomHex(12);
        claim.run(token, now + visibilityTimeoutSeconds * 1000, row.id);
        jobs.push({
          id: String(row.id),
          body: JSON.parse(row.body) as T,
          attempt: row.attempts + 1,
          receipt: `${row.id}.${token}`,
          enqueuedAt: new Date(row.enqueued_at),
        });
      }
    } while (buried > 0 && jobs.length < maxJobs);
    return jobs;
  }

  #waitForSend(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.#waiters.add(wake);
    });
  }
}

function checkedDelay(seconds: number, maxSeconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > maxSeconds) {
    throw new StorageError('invalid', `delay must be between 0 and ${maxSeconds} seconds, got ${seconds}`);
  }
  return seconds;
}

function parseReceipt(receipt: string): { id: number; token: string } {
  const match = /^([0-9]+)\.([0-9a-f]+)$/.exec(receipt);
  if (!match) throw new StorageError('invalid', 'bad job receipt');
  return { id: Number(match[1]), token: match[2]! };
}
