// The delivery worker as a Lambda on the inbound queue: bundled locally by esbuild at synth time (no
// Docker), partial batch failures so one bad message never redelivers its batch neighbours.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

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
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: this.timeout,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        tsconfig: props.tsconfig,
        sourceMap: true,
        minify: true,
        // The SDK is bundled at the versions the code was tested with; better-sqlite3 is native and
        // belongs to the local backend only, so it stays out of the AWS bundle.
        bundleAwsSDK: true,
        externalModules: ['better-sqlite3'],
        // ESM output still meets CommonJS dependencies that call require().
        banner: "import { createRequire as yubinCreateRequire } from 'node:module'; const require = yubinCreateRequire(import.meta.url);",
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The basic execution policy only lets the function write its own CloudWatch Logs.',
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
