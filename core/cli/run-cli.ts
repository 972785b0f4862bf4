// The CLI's dispatcher: the command table, help, and the one table mapping failures to one-line
// messages and exit codes (0 ok, 1 refused or failed, 2 usage error, 3 backend unavailable).
import { isStorageError, type StorageErrorCode } from '../ports/index.js';
import { CliError, writeLine, type CliContext, type CommandGroup } from './cli-context.js';
import { aliasCommands } from './commands/alias.js';
import { dkimCommands } from './commands/dkim.js';
import { dnsCommands } from './commands/dns.js';
import { domainCommands } from './commands/domain.js';
import { importCommands } from './commands/import.js';
import { quotaCommands } from './commands/quota.js';
import { storageCommands } from './commands/storage.js';
import { userCommands } from './commands/user.js';

export const COMMAND_GROUPS: Readonly<Record<string, CommandGroup>> = {
  domain: domainCommands,
  user: userCommands,
  alias: aliasCommands,
  quota: quotaCommands,
  dkim: dkimCommands,
  dns: dnsCommands,
  import: importCommands,
  storage: storageCommands,
};

/** StorageError code → exit code; the message is the adapter's, which names the thing concerned. */
const STORAGE_EXIT_CODES: Record<StorageErrorCode, number> = {
  'not-found': 1,
  'already-exists': 1,
  conflict: 1,
  'quota-exceeded': 1,
  invalid: 1,
  unavailable: 3,
};

/** `yubin`, `yubin help`, `-h`, `--help`: answered without touching any backend. */
export function isHelpRequest(argv: readonly string[]): boolean {
  return argv[0] === undefined || ['help', '--help', '-h'].includes(argv[0]);
}

function help(context: CliContext): void {
  writeLine(context.stdout, 'usage: yubin [--stack NAME] COMMAND …   (backend from YUBIN_BACKEND=local|aws, data in YUBIN_DATA_DIR)');
  for (const [name, group] of Object.entries(COMMAND_GROUPS)) {
    writeLine(context.stdout, `\n${name}: ${group.summary}`);
    for (const line of group.usage) writeLine(context.stdout, `  yubin ${line}`);
  }
}

/** Runs one command; returns the process exit code. Unexpected errors are reported, never thrown. */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || isHelpRequest(argv)) {
    help(context);
    return name === undefined ? 2 : 0;
  }
  const group = Object.hasOwn(COMMAND_GROUPS, name) ? COMMAND_GROUPS[name] : undefined;
  try {
    if (!group) throw new CliError(`unknown command ${JSON.stringify(name)}; \`yubin help\` lists them`, 2);
    await group.run(rest, context);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      writeLine(context.stderr, `yubin: ${error.message}`);
      return error.exitCode;
    }
    if (isStorageError(error)) {
      writeLine(context.stderr, `yubin: ${error.message}`);
      return STORAGE_EXIT_CODES[error.code];
    }
    writeLine(context.stderr, `yubin: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}
