// `yubin quota set ADDRESS SIZE`: the storage limit delivery and IMAP APPEND enforce (552 5.2.2,
// NO [OVERQUOTA]). Lowering it below current usage keeps the mail but refuses new mail.
import { canonicalAddress, expectPositionals, parseCommandArguments } from '../arguments.js';
import { CliError, commandGroup, writeLine } from '../cli-context.js';
import { formatSize, parseSize } from '../sizes.js';

export const quotaCommands = commandGroup('storage limits', {
  set: {
    usage: 'quota set ADDRESS SIZE   (10G, 500M, none)',
    async run(args, context) {
      const { positionals } = parseCommandArguments(this.usage, args);
      expectPositionals(this.usage, positionals, 2);
      const address = canonicalAddress(positionals[0]!);
      const quotaBytes = parseSize(positionals[1]!);
      const storage = await context.storage();
      const user = await storage.directory.getUser(address);
      if (user === null) throw new CliError(`no such user ${address}`);
      await storage.directory.updateUser(address, { quotaBytes });
      const usage = await storage.mailIndex.getQuotaUsage(user.id);
      const limit = quotaBytes === null ? 'no limit' : formatSize(quotaBytes);
      writeLine(context.stdout, `quota of ${address}: ${limit} (using ${formatSize(usage.usedBytes)})`);
      if (quotaBytes !== null && usage.usedBytes > quotaBytes)
        writeLine(context.stderr, `warning: ${address} is already over this quota; new mail will be refused`);
    },
  },
});
