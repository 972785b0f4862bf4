// What every Yubin Lambda shares: Node.js 24 on ARM64, JSON logs into its own log group with a
// retention, and a bundle built locally by esbuild at synth time (no Docker), ESM with source maps.
import { RemovalPolicy, Validations, type Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface BundledFunctionProps {
  /** The handler source (TypeScript), exporting `handler`. */
  readonly entry: string;
  /** tsconfig used by esbuild. */
  readonly tsconfig: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
  readonly description?: string;
}

/** Creates `Logs` and `Function` in `scope`. */
export function createBundledFunction(scope: Construct, props: BundledFunctionProps): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
  const fn = new nodejs.NodejsFunction(scope, 'Function', {
    entry: props.entry,
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    ...(props.description === undefined ? {} : { description: props.description }),
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
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The basic execution policy only lets the function write its own CloudWatch Logs.',
  });
  return fn;
}
