// `yubin storage sweep`: one storage housekeeping sweep now (core/storage/storage-housekeeper.ts),
// the same the mail-access service runs on its timer: frees blobs unreferenced for longer than the
// grace period and prunes expired bookkeeping rows. Safe beside running servers (sweeps are idempotent).
import { StorageHousekeeper } from '../../storage/storage-housekeeper.js';
import { silentLogger } from '../../log/logger.js';
import { expectPositionals, parseCommandArguments } from '../arguments.js';
import { CliError, commandGroup, writeLine } from '../cli-context.js';

export const storageCommands = commandGroup('storage housekeeping', {
  sweep: {
    usage: 'storage sweep [--grace-minutes N]',
    async run(args, context) {
      const { positionals, values } = parseCommandArguments(this.usage, args, { 'grace-minutes': { type: 'string' } });
      expectPositionals(this.usage, positionals, 0);
      const settings = { ...context.deployment.housekeeping, intervalMs: 0 };
      const grace = values['grace-minutes'];
      if (grace !== undefined) {
        // Zero is allowed when nothing else writes (no delivery holds a blob key): e.g. after `user remove`.
        if (typeof grace !== 'string' || !/^\d+$/u.test(grace))
          throw new CliError(`--grace-minutes must be a whole number, got ${JSON.stringify(grace)}`, 2);
        settings.blobGraceMs = Number(grace) * 60_000;
      }
      const storage = await context.storage();
      const housekeeper = new StorageHousekeeper(storage, settings, silentLogger, () => context.now().getTime());
      const report = await housekeeper.sweep();
      writeLine(
        context.stdout,
        (report.mailboxDeletionsFinished > 0 ? `finished ${report.mailboxDeletionsFinished} interrupted mailbox deletions; ` : '') +
          `freed ${report.blobsFreed} blobs` +
          (report.blobsFailed > 0 ? ` (${report.blobsFailed} could not be deleted; the next sweep retries)` : '') +
          `; pruned ${report.expungedUidsPruned} expunged UIDs and ${report.idempotencyKeysPruned} idempotency keys`,
      );
      if (report.blobsFailed > 0) throw new CliError('some blobs could not be deleted');
    },
  },
});
