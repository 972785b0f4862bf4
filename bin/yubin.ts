// Composition root of the `yubin` admin CLI: reads the configuration, opens the storage of the
// chosen backend (local data dir, or DynamoDB/S3/SQS) on first use, runs one command, closes.
// It trusts its operator (whoever can run it can read the data dir or holds the AWS credentials).
import { openAwsStorage } from '../core/adapters/aws/open-aws-storage.js';
import { openLocalStorage } from '../core/adapters/local/open-local-storage.js';
import type { Deployment, MailEndpoints } from '../core/cli/cli-context.js';
import { runCli } from '../core/cli/run-cli.js';
import { loadConfig, type YubinConfig } from '../core/config/index.js';
import type { Storage } from '../core/ports/index.js';

/** Behind the AWS NLB clients use the standard ports (RFC 8314, RFC 6409); locally the configured ones. */
function endpointsOf(config: YubinConfig): MailEndpoints {
  if (config.backend === 'aws') return { hostname: config.hostname, imaps: 993, pop3s: 995, submission: 587, submissions: 465 };
  const { imaps, pop3s, submission, submissions } = config.ports;
  return { hostname: config.hostname, imaps, pop3s, submission, submissions };
}

async function main(): Promise<number> {
  let config: YubinConfig;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`yubin: ${(error as Error).message}\n`);
    return 2;
  }
  const deployment: Deployment = { endpoints: endpointsOf(config), publicAddresses: config.publicAddresses, egress: config.egress, maxMessageBytes: config.maxMessageBytes };
  const opened: { storage: Promise<Storage> | null } = { storage: null };
  const code = await runCli(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    deployment,
    now: () => new Date(),
    storage: () => (opened.storage ??= config.backend === 'aws' ? openAwsStorage(config.aws) : openLocalStorage({ dataDir: config.dataDir })),
  });
  if (opened.storage !== null) await (await opened.storage).close();
  return code;
}

process.exitCode = await main();
