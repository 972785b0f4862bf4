// The Lambda host's logic: each SQS record → the delivery use case → settle it like the local worker
// does (retry = a new visibility timeout for the backoff) and report the records not acked as
// batch item failures, so one bad message does not redeliver its whole batch.
import type { Logger } from '../../core/log/logger.js';
import type { InboundDeliveryJob } from '../../core/mail/jobs.js';
import type { JobQueue, QueuedJob } from '../../core/ports/job-queue.js';
import { deliverInboundJob, type DeliveryDeps } from '../../core/delivery/deliver-inbound-job.js';
import type { DeliveryOutcome } from '../../core/delivery/delivery-outcome.js';
import { settleJob } from '../../core/delivery/settle-job.js';
import type { SqsBatchResponse, SqsEvent, SqsRecord } from './sqs-batch.js';

export interface DeliveryHandlerDeps {
  readonly deliveryDeps: DeliveryDeps;
  /** The queue the event came from: retry() moves a record's visibility timeout to the backoff delay. */
  readonly queue: JobQueue<InboundDeliveryJob>;
  readonly logger: Logger;
}

function queuedJob(record: SqsRecord): QueuedJob<unknown> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined; // not JSON: the use case reports it dead
  }
  return {
    id: record.messageId,
    body,
    attempt: Number(record.attributes.ApproximateReceiveCount ?? '1'),
    receipt: record.receiptHandle,
    enqueuedAt: new Date(Number(record.attributes.SentTimestamp ?? Date.now())),
  };
}

export function createDeliveryHandler(deps: DeliveryHandlerDeps): (event: SqsEvent) => Promise<SqsBatchResponse> {
  return async (event) => {
    // Records of one batch are independent messages: deliver them side by side.
    const failed = await Promise.all(
      event.Records.map(async (record): Promise<string | null> => {
        const job = queuedJob(record);
        const outcome: DeliveryOutcome = await deliverInboundJob(job.body, deps.deliveryDeps, { attempt: job.attempt });
        if (outcome.kind === 'delivered') return null; // Lambda deletes every record not reported
        try {
          await settleJob(deps.queue, job as QueuedJob<InboundDeliveryJob>, outcome, deps.logger);
        } catch (error) {
          deps.logger.warn('could not set the retry delay; the queue visibility timeout applies', { messageId: record.messageId, error });
        }
        return record.messageId;
      }),
    );
    return { batchItemFailures: failed.filter((id): id is string => id !== null).map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
