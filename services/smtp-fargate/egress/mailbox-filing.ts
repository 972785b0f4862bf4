// Files a message the egress worker produced into one of a local user's mailboxes: the signed copy
// into `Outbox` (sink mode) or a DSN into INBOX. Streamed into a new blob while its MIME structure is
// parsed; the append is idempotent, so a redelivered job files nothing twice.
import type { Storage } from '../../../core/ports/index.js';
import { isStorageError } from '../../../core/ports/errors.js';
import type { Mailbox } from '../../../core/ports/mail-index.js';
import { createStructureParser } from '../../../core/mime/index.js';

/** The sink's mailbox: outbound mail that never left the machine, visible over IMAP. */
export const OUTBOX_MAILBOX = 'Outbox';

async function mailboxNamed(storage: Pick<Storage, 'mailIndex'>, userId: string, name: string): Promise<Mailbox> {
  const existing = await storage.mailIndex.getMailbox(userId, name);
  if (existing) return existing;
  try {
    return await storage.mailIndex.createMailbox(userId, name, { subscribed: true });
  } catch (error) {
    if (!isStorageError(error, 'already-exists')) throw error;
    const created = await storage.mailIndex.getMailbox(userId, name);
    if (!created) throw error;
    return created;
  }
}

export interface FilingRequest {
  readonly userAddress: string;
  readonly mailboxName: string;
  readonly content: AsyncIterable<Uint8Array>;
  readonly idempotencyKey: string;
  readonly flags?: readonly string[];
}

/** Returns false when the address is not a local user (nothing filed). */
export async function fileForLocalUser(
  storage: Pick<Storage, 'blobs' | 'directory' | 'mailIndex'>,
  request: FilingRequest,
): Promise<boolean> {
  const user = await storage.directory.getUser(request.userAddress);
  if (!user) return false;
  const mailbox = await mailboxNamed(storage, user.id, request.mailboxName);
  const parser = createStructureParser();
  async function* parsed(): AsyncIterable<Uint8Array> {
    for await (const chunk of request.content) {
      parser.write(chunk);
      yield chunk;
    }
  }
  const blob = await storage.blobs.put(parsed(), { prefix: 'msg/' });
  await storage.mailIndex.appendMessage(mailbox.id, {
    blobKey: blob.key,
    sizeBytes: blob.sizeBytes,
    internalDate: new Date(),
    flags: request.flags ?? [],
    structure: parser.end(),
    idempotencyKey: request.idempotencyKey,
  });
  return true;
}
