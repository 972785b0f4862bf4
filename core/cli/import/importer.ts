// Moves messages from an ImportSource into one user's mailboxes. Idempotent and so resumable: each
// append carries the key `import:<sha256>:<n>` (n-th copy of that content in that folder), and the
// MailIndex keeps a second append with the same key from adding anything (a re-run skips it and
// deletes the blob it just wrote). Mailboxes are created as needed, parents first; a folder with a
// special-use role is filed into our mailbox of that role (WorkMail's `Sent Items` → `Sent`).
import { Readable } from 'node:stream';
import { parseMessageStructure } from '../../mime/index.js';
import { MAILBOX_DELIMITER, isStorageError, type Mailbox, type MailIndex, type Storage, type User } from '../../ports/index.js';
import { ensureDefaultMailboxes } from '../../storage/default-mailboxes.js';
import { CliError } from '../cli-context.js';
import type { ImportMessage, ImportSource } from './import-source.js';
import type { ImportProgress } from './progress.js';

export interface ImportSummary {
  readonly imported: number;
  /** Already there from an earlier run. */
  readonly skipped: number;
  readonly importedBytes: number;
  /** Folder name → messages imported into it (the destination name). */
  readonly folders: ReadonlyMap<string, number>;
}

export interface ImportTarget {
  readonly storage: Pick<Storage, 'blobs'>;
  /** The index with change notifications, so running IMAP IDLE sessions see imported mail. */
  readonly mailIndex: MailIndex;
  readonly user: User;
}

class MailboxResolver {
  private readonly byName = new Map<string, Mailbox>();

  private constructor(
    private readonly index: MailIndex,
    private readonly userId: string,
  ) {}

  static async create(index: MailIndex, userId: string): Promise<MailboxResolver> {
    const resolver = new MailboxResolver(index, userId);
    await ensureDefaultMailboxes(index, userId);
    for (const mailbox of await index.listMailboxes(userId)) resolver.byName.set(mailbox.name, mailbox);
    return resolver;
  }

  async resolve(message: ImportMessage): Promise<Mailbox> {
    if (message.specialUse) {
      const role = [...this.byName.values()].find((mailbox) => mailbox.specialUse === message.specialUse);
      if (role) return role;
    }
    const name = message.folder.toUpperCase() === 'INBOX' ? 'INBOX' : message.folder;
    return this.byName.get(name) ?? (await this.create(name));
  }

  private async create(name: string): Promise<Mailbox> {
    const parts = name.split(MAILBOX_DELIMITER);
    let mailbox: Mailbox | undefined;
    for (let depth = 1; depth <= parts.length; depth++) {
      const path = parts.slice(0, depth).join(MAILBOX_DELIMITER);
      mailbox = this.byName.get(path);
      if (mailbox) continue;
      try {
        mailbox = await this.index.createMailbox(this.userId, path, { subscribed: true });
      } catch (error) {
        if (!isStorageError(error, 'already-exists')) throw error;
        mailbox = (await this.index.getMailbox(this.userId, path)) ?? undefined;
        if (!mailbox) throw error;
      }
      this.byName.set(path, mailbox);
    }
    return mailbox!;
  }
}

export async function importMessages(source: ImportSource, target: ImportTarget, progress: ImportProgress): Promise<ImportSummary> {
  const mailboxes = await MailboxResolver.create(target.mailIndex, target.user.id);
  /** Per destination mailbox: content hash → copies seen so far in this run. */
  const copies = new Map<string, Map<string, number>>();
  const folders = new Map<string, number>();
  let imported = 0;
  let skipped = 0;
  let importedBytes = 0;
  for await (const message of source.messages()) {
    const mailbox = await mailboxes.resolve(message);
    const blob = await target.storage.blobs.put(Readable.from([message.bytes]), { prefix: 'msg/' });
    const seen = copies.get(mailbox.id) ?? new Map<string, number>();
    copies.set(mailbox.id, seen);
    const copy = (seen.get(blob.sha256) ?? 0) + 1;
    seen.set(blob.sha256, copy);
    try {
      const structure = await parseMessageStructure(Readable.from([message.bytes]));
      const result = await target.mailIndex.appendMessage(
        mailbox.id,
        {
          blobKey: blob.key,
          sizeBytes: blob.sizeBytes,
          internalDate: message.internalDate,
          flags: message.flags,
          structure,
          idempotencyKey: `import:${blob.sha256}:${copy}`,
        },
        { quotaLimitBytes: target.user.quotaBytes },
      );
      if (result.duplicate) {
        await target.storage.blobs.delete(blob.key);
        skipped++;
      } else {
        imported++;
        importedBytes += blob.sizeBytes;
        folders.set(mailbox.name, (folders.get(mailbox.name) ?? 0) + 1);
      }
    } catch (error) {
      await target.storage.blobs.delete(blob.key);
      if (isStorageError(error, 'quota-exceeded'))
        throw new CliError(
          `${target.user.address} is over quota after ${imported} messages; raise it with \`yubin quota set\` and run the import again (it resumes)`,
        );
      throw error;
    }
    progress.advance(message.bytes.length);
  }
  return { imported, skipped, importedBytes, folders };
}
