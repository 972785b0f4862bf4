// Job queue port: at-least-once queues for inbound delivery and outbound (egress) delivery.
// Adapters: SqliteJobQueue and SqsJobQueue. Consumers must be idempotent: a job whose visibility
// timeout passes without ack is delivered again; after the queue's maxAttempts receives it moves to
// the queue's dead-letter store instead.

export interface QueuedJob<T> {
  readonly id: string;
  readonly body: T;
  /** 1 on the first receive, then 2, 3, … (SQS ApproximateReceiveCount). */
  readonly attempt: number;
  /** Opaque handle for ack/retry; valid only for this receive. */
  readonly receipt: string;
  readonly enqueuedAt: Date;
}

export interface SendJobOptions {
  /** Hidden until then; at most 900 s (the SQS limit). */
  readonly delaySeconds?: number;
}

export interface ReceiveOptions {
  readonly maxJobs: number;
  /** How long a received job stays hidden before it is redelivered, unless acked. */
  readonly visibilityTimeoutSeconds: number;
  /** Long poll: wait up to this long for a job when none is ready (default 0). */
  readonly waitSeconds?: number;
}

export interface QueueDepth {
  readonly ready: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly deadLettered: number;
}

export interface JobQueue<T> {
  send(body: T, options?: SendJobOptions): Promise<string>;
  receive(options: ReceiveOptions): Promise<QueuedJob<T>[]>;
  /** Done: removes the job for good. */
  ack(job: QueuedJob<T>): Promise<void>;
  /** Failed for now: visible again after `delaySeconds` (≤ 43,200, the SQS limit). */
  retry(job: QueuedJob<T>, delaySeconds: number): Promise<void>;
  depth(): Promise<QueueDepth>;
}
