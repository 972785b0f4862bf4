// Composition root of the `yubin` admin CLI: reads the configuration, opens the storage of the
// chosen backend (local data dir, or DynamoDB/S3/SQS) on first use, runs one command, closes.
// On AWS the table, bucket and queue names come from the stack's outputs (`--stack NAME`,
// YUBIN_STACK_NAME, default the CDK app's stack name) unless the environment names them.
// It trusts its operator (whoever can run it can read the data dir or holds the AWS credentials).
import { publicEndpoints } from '../core/autoconfig/mail-endpoints.js';
import type { Deployment } from '../core/cli/cli-context.js';
import { takeGlobalOption } from '../core/cli/arguments.js';
import { CliError } from '../core/cli/cli-context.js';
import { isHelpRequest, runCli } from '../core/cli/run-cli.js';
import { loadConfig, type YubinConfig } from '../core/config/index.js';
import { needsStackOutputs, withStackOutputs } from '../core/config/stack-outputs.js';
import type { Storage } from '../core/ports/index.js';

/** Loaded on demand: the AWS SDK alone takes seconds to load, and `help` or a usage error needs neither. */
async function openStorage(config: YubinConfig): Promise<Storage> {
  if (config.backend === 'aws') return (await import('../core/adapters/aws/open-aws-storage.js')).openAwsStorage(config.aws);
  return (await import('../core/adapters/local/open-local-storage.js')).openLocalStorage({ dataDir: config.dataDir });
}

/** DescribeStacks once, loaded on demand like the storage; a failure says what to set instead. */
async function fillFromStack(config: YubinConfig): Promise<YubinConfig> {
  const { readStackOutputs } = await import('../core/adapters/aws/cloudformation-stack-outputs.js');
  try {
    const outputs = await readStackOutputs({
      region: config.aws.region,
      stackName: config.stack.name,
      ...(config.stack.cloudFormationEndpoint ? { endpoint: config.stack.cloudFormationEndpoint } : {}),
    });
    return withStackOutputs(config, outputs);
  } catch (error) {
    throw new CliError(
      `cannot read the outputs of stack ${config.stack.name} (${(error as Error).message}); name the stack with --stack NAME ` +
        'or YUBIN_STACK_NAME, or set YUBIN_TABLE_PREFIX, YUBIN_BUCKET, YUBIN_INBOUND_QUEUE_URL and YUBIN_OUTBOUND_QUEUE_URL',
      3,
    );
  }
}

async function main(): Promise<number> {
  let config: YubinConfig;
  let argv: string[];
  try {
    const stack = takeGlobalOption(process.argv.slice(2), 'stack');
    argv = stack.rest;
    config = loadConfig(stack.value === undefined ? process.env : { ...process.env, YUBIN_STACK_NAME: stack.value });
    if (needsStackOutputs(config) && !isHelpRequest(argv)) config = await fillFromStack(config);
  } catch (error) {
    process.stderr.write(`yubin: ${(error as Error).message}\n`);
    return error instanceof CliError ? error.exitCode : 2;
  }
  const deployment: Deployment = {
    endpoints: publicEndpoints(config),
    publicAddresses: config.publicAddresses,
    egress: config.egress,
    mtaStsMode: config.mtaStsMode,
    maxMessageBytes: config.maxMessageBytes,
    housekeeping: config.housekeeping,
  };
  const opened: { storage: Promise<Storage> | null } = { storage: null };
  const code = await runCli(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    deployment,
    now: () => new Date(),
    storage: () => (opened.storage ??= openStorage(config)),
  });
  if (opened.storage !== null) await (await opened.storage).close();
  return code;
}

process.exitCode = await main();
