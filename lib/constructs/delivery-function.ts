// The delivery worker as a Lambda on the inbound queue: bundled locally by esbuild at synth time (no
// Docker), partial batch failures so one bad message never redelivers its batch neighbours.
import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createBundledFunction } from './bundled-function.js';

export interface DeliveryFunctionProps {
  /** The handler source, `lambdas/delivery/handler.ts`. */
  readonly entry: string;
  /** tsconfig used by esbuild. */
  readonly tsconfig: string;
  readonly inboundQueue: sqs.IQueue;
  /** Must be at most 1/6 of the inbound queue's visibility timeout. Default: 60 s. */
  readonly timeout?: Duration;
  /** Default: 1024 MiB (parsing and DKIM verification are CPU-bound; Lambda CPU scales with memory). */
  readonly memorySize?: number;
  /** Messages per invocation. Default: 10 (SQS's maximum without a batching window). */
  readonly batchSize?: number;
  /** Concurrent invocations the queue may drive. Default: 20 (well inside DynamoDB's per-partition write rate). */
  readonly maxConcurrency?: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
}

export const DEFAULT_DELIVERY_TIMEOUT = Duration.seconds(60);

export class DeliveryFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: DeliveryFunctionProps) {
    super(scope, id);
    this.timeout = props.timeout ?? DEFAULT_DELIVERY_TIMEOUT;
    this.function = createBundledFunction(this, {
      entry: props.entry,
      tsconfig: props.tsconfig,
      memorySize: props.memorySize ?? 1024,
      timeout: this.timeout,
      environment: props.environment,
      logRetention: props.logRetention,
    });
    this.function.addEventSource(
      new SqsEventSource(props.inboundQueue, {
        batchSize: props.batchSize ?? 10,
        maxConcurrency: props.maxConcurrency ?? 20,
        reportBatchItemFailures: true,
      }),
    );
  }
}
