// The two job queues of the design brief §3 (inbound delivery, outbound delivery), each with its own
// dead-letter queue. Encrypted at rest (SSE-SQS) and reachable only over TLS.
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Lambda on SQS: the visibility timeout must be at least 6× the function timeout (AWS Lambda guide). */
export const VISIBILITY_PER_CONSUMER_TIMEOUT = 6;

export interface JobQueuesProps {
  /** Timeout of the inbound consumer (the delivery Lambda); the visibility timeout is 6× this. */
  readonly inboundConsumerTimeout: Duration;
  /** How long one outbound job is hidden while the egress worker tries a remote MX or SES.
   *  Default: 5 minutes (an SMTP transaction's worst case, RFC 5321 §4.5.3.2 timeouts summed). */
  readonly outboundVisibilityTimeout?: Duration;
  /** Receives before a job moves to its DLQ. Default: 5 (delivery is idempotent; poison messages stop). */
  readonly maxReceiveCount?: number;
}

export class JobQueues extends Construct {
  readonly inbound: sqs.Queue;
  readonly inboundDeadLetter: sqs.Queue;
  readonly outbound: sqs.Queue;
  readonly outboundDeadLetter: sqs.Queue;

  constructor(scope: Construct, id: string, props: JobQueuesProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    // A DLQ keeps its jobs for SQS's longest retention, so an operator has two weeks to redrive them.
    const deadLetter = (name: string): sqs.Queue =>
      new sqs.Queue(this, name, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
    this.inboundDeadLetter = deadLetter('InboundDeadLetter');
    this.outboundDeadLetter = deadLetter('OutboundDeadLetter');
    this.inbound = new sqs.Queue(this, 'Inbound', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.inboundConsumerTimeout.toSeconds() * VISIBILITY_PER_CONSUMER_TIMEOUT),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.inboundDeadLetter, maxReceiveCount },
    });
    // Outbound retries run for days (design brief §3): the egress worker re-enqueues with a delay, and
    // the queue keeps a job for SQS's longest retention so none expires while still being retried.
    this.outbound = new sqs.Queue(this, 'Outbound', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.outboundVisibilityTimeout ?? Duration.minutes(5),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.outboundDeadLetter, maxReceiveCount },
    });
  }
}
