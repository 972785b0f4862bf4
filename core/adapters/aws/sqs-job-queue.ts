// JobQueue on SQS. Delay = DelaySeconds; retry = ChangeMessageVisibility on the received message (the
// receive count keeps rising, so the queue's redrive policy moves a job to its DLQ after maxAttempts
// receives: the CDK stack and the test harness create that DLQ and policy); depth from
// GetQueueAttributes of the queue and of its DLQ (found through the redrive policy).
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { JobQueue, QueueDepth, QueuedJob, ReceiveOptions, SendJobOptions } from '../../ports/job-queue.js';
import { StorageError } from '../../ports/errors.js';
import { awsCall } from './aws-errors.js';

/** SQS limits: DelaySeconds ≤ 900, visibility ≤ 12 h, ≤ 10 messages per receive, long poll ≤ 20 s. */
const MAX_DELAY_SECONDS = 900;
const MAX_VISIBILITY_SECONDS = 43_200;
const MAX_RECEIVE_MESSAGES = 10;
const MAX_WAIT_SECONDS = 20;

const clamp = (value: number, max: number) => Math.max(0, Math.min(Math.floor(value), max));

/** A delay SQS would refuse is a caller bug: say so with the port's code instead of an AWS error. */
function checkedDelay(seconds: number, max: number): number {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > max)
    throw new StorageError('invalid', `delay must be 0..${max} whole seconds, got ${seconds}`);
  return seconds;
}

export class SqsJobQueue<T> implements JobQueue<T> {
  private deadLetterQueueUrl: Promise<string | null> | undefined;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(body: T, options: SendJobOptions = {}): Promise<string> {
    const result = await awsCall('enqueue job', () =>
      this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: JSON.stringify(body),
          DelaySeconds: checkedDelay(options.delaySeconds ?? 0, MAX_DELAY_SECONDS),
        }),
      ),
    );
    if (!result.MessageId) throw new StorageError('unavailable', 'SQS returned no message id');
    return result.MessageId;
  }

  async receive(options: ReceiveOptions): Promise<QueuedJob<T>[]> {
    const result = await awsCall('receive jobs', () =>
      this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.max(1, Math.min(options.maxJobs, MAX_RECEIVE_MESSAGES)),
          VisibilityTimeout: clamp(options.visibilityTimeoutSeconds, MAX_VISIBILITY_SECONDS),
          WaitTimeSeconds: clamp(options.waitSeconds ?? 0, MAX_WAIT_SECONDS),
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        }),
      ),
    );
    return (result.Messages ?? []).map((message) => ({
      id: message.MessageId ?? '',
      body: JSON.parse(message.Body ?? 'null') as T,
      attempt: Number(message.Attributes?.ApproximateReceiveCount ?? '1'),
      receipt: message.ReceiptHandle ?? '',
      enqueuedAt: new Date(Number(message.Attributes?.SentTimestamp ?? Date.now())),
    }));
  }

  async ack(job: QueuedJob<T>): Promise<void> {
    await awsCall('ack job', () => this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: job.receipt })));
  }

  async retry(job: QueuedJob<T>, delaySeconds: number): Promise<void> {
    checkedDelay(delaySeconds, MAX_VISIBILITY_SECONDS);
    await awsCall('retry job', () =>
      this.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: job.receipt, VisibilityTimeout: delaySeconds }),
      ),
    );
  }

  private async findDeadLetterQueue(): Promise<string | null> {
    const result = await awsCall('read redrive policy', () =>
      this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['RedrivePolicy'] })),
    );
    const policy = result.Attributes?.RedrivePolicy;
    if (!policy) return null;
    const arn = (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn ?? '';
    // arn:aws:sqs:REGION:ACCOUNT:NAME
    const [, , , , account, name] = arn.split(':');
    if (!name) return null;
    const url = await awsCall('find dead-letter queue', () =>
      this.sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })),
    );
    return url.QueueUrl ?? null;
  }

  private async counts(queueUrl: string) {
    const result = await awsCall('queue depth', () =>
      this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      ),
    );
    const count = (name: QueueAttributeName) => Number(result.Attributes?.[name] ?? '0');
    return {
      ready: count('ApproximateNumberOfMessages'),
      inFlight: count('ApproximateNumberOfMessagesNotVisible'),
      delayed: count('ApproximateNumberOfMessagesDelayed'),
    };
  }

  /** Approximate, like SQS itself: counts settle within about a minute on AWS. */
  async depth(): Promise<QueueDepth> {
    this.deadLetterQueueUrl ??= this.findDeadLetterQueue().catch((error: unknown) => {
      this.deadLetterQueueUrl = undefined;
      throw error;
    });
    const [own, dlqUrl] = await Promise.all([this.counts(this.queueUrl), this.deadLetterQueueUrl]);
    const dead = dlqUrl ? await this.counts(dlqUrl) : null;
    return { ...own, deadLettered: dead ? dead.ready + dead.inFlight + dead.delayed : 0 };
  }
}
