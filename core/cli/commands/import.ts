// `yubin import ADDRESS --mbox FILE | --maildir DIR | --imap URL` and
// `yubin import --all-users --imap URL --csv FILE`: bring existing mail in, with a progress bar on
// stderr and a summary at the end. Re-running is safe: what is already there is skipped.
import { readFile } from 'node:fs/promises';
import { withChangeNotifications } from '../../storage/notifying-mail-index.js';
import { createLogger } from '../../log/logger.js';
import type { Storage } from '../../ports/index.js';
import { canonicalAddress, expectPositionals, parseCommandArguments, stringOption, type ParsedArguments } from '../arguments.js';
import { CliError, writeLine, type CliContext, type CommandGroup } from '../cli-context.js';
import { ImapSource, parseImapUrl } from '../import/imap-source.js';
import type { ImportSource } from '../import/import-source.js';
import { importMessages, type ImportSummary } from '../import/importer.js';
import { MaildirSource } from '../import/maildir-source.js';
import { MboxSource } from '../import/mbox-source.js';
import { ImportProgress } from '../import/progress.js';
import { parseAccountsCsv } from '../import/users-csv.js';
import { readFirstLine } from '../password-input.js';
import { formatSize } from '../sizes.js';

const USAGE = [
  'import ADDRESS --mbox FILE [--folder NAME]',
  'import ADDRESS --maildir DIR',
  'import ADDRESS --imap imaps://USER@HOST[:PORT] --password-stdin [--insecure-tls]',
  'import --all-users --imap imaps://HOST[:PORT] --csv FILE [--insecure-tls]',
];

const OPTIONS = {
  mbox: { type: 'string' },
  folder: { type: 'string' },
  maildir: { type: 'string' },
  imap: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'insecure-tls': { type: 'boolean' },
  'all-users': { type: 'boolean' },
  csv: { type: 'string' },
} as const;

async function importInto(storage: Storage, context: CliContext, address: string, source: ImportSource): Promise<ImportSummary> {
  const user = await storage.directory.getUser(address);
  if (user === null) throw new CliError(`no such user ${address}: add it first with \`yubin user add ${address}\``);
  try {
    const progress = new ImportProgress(context.stderr, address, await source.estimate());
    // Logs of failed change-feed publishes go to stderr, never into the command's output.
    const mailIndex = withChangeNotifications(
      storage.mailIndex,
      storage.changes,
      createLogger({ write: (line) => context.stderr.write(line + '\n') }),
    );
    const summary = await importMessages(source, { storage, mailIndex, user }, progress);
    progress.finish();
    return summary;
  } finally {
    await source.close();
  }
}

function printSummary(context: CliContext, address: string, source: ImportSource, summary: ImportSummary): void {
  writeLine(
    context.stdout,
    `${address}: ${summary.imported} imported (${formatSize(summary.importedBytes)}), ${summary.skipped} already there, from ${source.description}`,
  );
  for (const [folder, count] of [...summary.folders].sort(([a], [b]) => a.localeCompare(b)))
    writeLine(context.stdout, `  ${folder}\t${count}`);
}

function singleSource(
  values: ParsedArguments['values'],
  context: CliContext,
  password: () => Promise<string>,
): Promise<ImportSource> | ImportSource {
  const mbox = stringOption(values, 'mbox');
  const maildir = stringOption(values, 'maildir');
  const imap = stringOption(values, 'imap');
  if ([mbox, maildir, imap].filter((value) => value !== undefined).length !== 1)
    throw new CliError(`choose one source\nusage: yubin ${USAGE.join('\n       yubin ')}`, 2);
  const limit = context.deployment.maxMessageBytes;
  if (mbox !== undefined) return new MboxSource(mbox, stringOption(values, 'folder') ?? 'INBOX', limit, context.now);
  if (maildir !== undefined) return new MaildirSource(maildir, limit);
  if (values['password-stdin'] !== true)
    throw new CliError('an IMAP import needs the source password: pass it on stdin with --password-stdin', 2);
  const url = parseImapUrl(imap!);
  return password().then(
    (pass) => new ImapSource({ url, password: pass, insecureTls: values['insecure-tls'] === true, maxMessageBytes: limit }),
  );
}

async function importAllUsers(values: ParsedArguments['values'], context: CliContext): Promise<void> {
  const imap = stringOption(values, 'imap');
  const csv = stringOption(values, 'csv');
  if (imap === undefined || csv === undefined) throw new CliError(`usage: yubin ${USAGE[3]}`, 2);
  const url = parseImapUrl(imap);
  if (url.username) throw new CliError('with --all-users the logins come from the CSV: leave the user out of the URL', 2);
  const accounts = parseAccountsCsv(await readFile(csv, 'utf8'));
  const storage = await context.storage();
  const failures: string[] = [];
  let imported = 0;
  let skipped = 0;
  for (const account of accounts) {
    try {
      const address = canonicalAddress(account.address);
      const source = new ImapSource({
        url,
        user: account.sourceLogin,
        password: account.password,
        insecureTls: values['insecure-tls'] === true,
        maxMessageBytes: context.deployment.maxMessageBytes,
      });
      const summary = await importInto(storage, context, address, source);
      printSummary(context, address, source, summary);
      imported += summary.imported;
      skipped += summary.skipped;
    } catch (error) {
      const message = error instanceof CliError || error instanceof Error ? error.message : String(error);
      failures.push(`${account.address}: ${message}`);
      writeLine(context.stdout, `${account.address}: FAILED: ${message}`);
    }
  }
  writeLine(
    context.stdout,
    `summary: ${accounts.length - failures.length} of ${accounts.length} mailboxes moved, ${imported} messages imported, ${skipped} already there`,
  );
  if (failures.length > 0)
    throw new CliError(
      `${failures.length} mailboxes failed (run the same command again once fixed; it resumes):\n  ${failures.join('\n  ')}`,
    );
}

export const importCommands: CommandGroup = {
  summary: 'bring existing mail in (mbox, Maildir, any IMAP server such as Amazon WorkMail)',
  usage: USAGE,
  async run(args, context) {
    const { positionals, values } = parseCommandArguments(USAGE.join(' | '), args, OPTIONS);
    if (values['all-users'] === true) {
      expectPositionals(USAGE[3]!, positionals, 0);
      return importAllUsers(values, context);
    }
    expectPositionals(USAGE.join(' | '), positionals, 1);
    const address = canonicalAddress(positionals[0]!);
    const source = await singleSource(values, context, () => readFirstLine(context.stdin));
    const storage = await context.storage();
    printSummary(context, address, source, await importInto(storage, context, address, source));
  },
};
