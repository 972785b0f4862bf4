// How a host acts on a delivery outcome — the one place that maps outcomes to queue operations, so
// the local worker and the Lambda behave alike.
import type { Logger } from '../log/logger.js';
import type { InboundDeliveryJob } from '../mail/jobs.js';
import type { JobQueue, QueuedJob } from '../ports/job-queue.js';
import type { DeliveryOutcome } from './delivery-outcome.js';

export type Settlement = 'acked' | 'retrying' | 'dead-lettering';

export async function settleJob(
  queue: JobQueue<InboundDeliveryJob>,
  job: QueuedJob<InboundDeliveryJob>,
  outcome: DeliveryOutcome,
  logger: Logger,
): Promise<Settlement> {
  switch (outcome.kind) {
    case 'delivered':
      await queue.ack(job);
      return 'acked';
    case 'retry':
      // Hidden for the backoff delay; after the queue's maxAttempts receives it is dead-lettered.
      await queue.retry(job, outcome.delaySeconds);
      return 'retrying';
    case 'dead':
      // The queue port has no "dead-letter now": make the job visible again at once so its remaining
      // receives pass quickly and the queue's redrive moves it to the dead-letter store.
      logger.error('poison job: leaving it for the dead-letter queue', { jobId: job.id, attempt: job.attempt, reason: outcome.reason });
      await queue.retry(job, 0);
      return 'dead-lettering';
  }
}
