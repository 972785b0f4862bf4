// Composition root of the `yubin` admin CLI: reads the configuration, opens the storage of the
// chosen backend (local data dir, or DynamoDB/S3/SQS) on first use, runs one command, closes.
// It trusts its operator (whoever can run it can read the data dir or holds the AWS credentials).
import { STANDARD_PORTS, type MailEndpoints } from '../core/autoconfig/mail-endpoints.js';
import type { Deployment } from '../core/cli/cli-context.js';
import { runCli } from '../core/cli/run-cli.js';
import { loadConfig, type YubinConfig } from '../core/config/index.js';
import type { Storage } from '../core/ports/index.js';

/** Behind the AWS NLB clients use the standard ports (RFC 8314, RFC 6409); locally the configured ones. */
function endpointsOf(config: YubinConfig): MailEndpoints {
  if (config.backend === 'aws') return { hostname: config.hostname, ...STANDARD_PORTS };
  const { imaps, pop3s, submission, submissions } = config.ports;
  return { hostname: config.hostname, imaps, pop3s, submission, submissions };
}

/** Loaded on demand: the AWS SDK alone takes seconds to load, and `help` or a usage error needs neither. */
async function openStorage(config: YubinConfig): Promise<Storage> {
  if (config.backend === 'aws') return (await import('../core/adapters/aws/open-aws-storage.js')).openAwsStorage(config.aws);
  return (await import('../core/adapters/local/open-local-storage.js')).openLocalStorage({ dataDir: config.dataDir });
}

async function main(): Promise<number> {
  let config: YubinConfig;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`yubin: ${(error as Error).message}\n`);
    return 2;
  }
  const deployment: Deployment = {
    endpoints: endpointsOf(config),
    publicAddresses: config.publicAddresses,
    egress: config.egress,
    maxMessageBytes: config.maxMessageBytes,
    housekeeping: config.housekeeping,
  };
  const opened: { storage: Promise<Storage> | null } = { storage: null };
  const code = await runCli(process.argv.slice(2), {
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
