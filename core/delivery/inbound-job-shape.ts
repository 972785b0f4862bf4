// Queue bodies come from outside the process (SQS, the SQLite table): check the shape before trusting
// it, so a malformed job goes to the dead-letter queue instead of crashing the worker.
import type { InboundDeliveryJob } from '../mail/jobs.js';

const isString = (value: unknown): value is string => typeof value === 'string';

export function isInboundDeliveryJob(value: unknown): value is InboundDeliveryJob {
  if (typeof value !== 'object' || value === null) return false;
  const job = value as Record<string, unknown>;
  const envelope = job.envelope as Record<string, unknown> | undefined;
  const client = job.client as Record<string, unknown> | undefined;
  return (
    job.kind === 'inbound' &&
    isString(job.messageId) &&
    isString(job.blobKey) &&
    isString(job.receivedAt) &&
    typeof envelope === 'object' &&
    envelope !== null &&
    isString(envelope.mailFrom) &&
    Array.isArray(envelope.recipients) &&
    envelope.recipients.every((r: unknown) => typeof r === 'object' && r !== null && isString((r as Record<string, unknown>).address)) &&
    typeof client === 'object' &&
    client !== null &&
    isString(client.ip) &&
    isString(client.helo)
  );
}
