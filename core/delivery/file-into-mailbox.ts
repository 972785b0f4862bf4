// Appends the final message to one user's mailbox, idempotently, under the quota policy. IDLE sessions
// are woken by the change-notifying MailIndex decorator (core/storage) the hosts wrap the index in.
import type { Logger } from '../log/logger.js';
import type { User } from '../ports/directory.js';
import { isStorageError } from '../ports/errors.js';
import type { Storage } from '../ports/index.js';
import type { AppendResult, Mailbox } from '../ports/mail-index.js';
import type { FinalMessage } from './final-message-writer.js';

export type FilingResult = { readonly kind: 'appended'; readonly append: AppendResult } | { readonly kind: 'over-quota' };

export interface FilingRequest {
  readonly user: User;
  readonly mailbox: Mailbox;
  readonly message: FinalMessage;
  readonly internalDate: Date;
  /**
   * The same job filed again into the same mailbox must add nothing (the queue is at-least-once):
   * the key is the queue message id plus the user plus the mailbox.
   */
  readonly idempotencyKey: string;
  /** Whether a 552 5.2.2 bounce may go to the sender; otherwise mail over quota is still filed. */
  readonly mayBounceOverQuota: boolean;
}

export async function fileIntoMailbox(storage: Pick<Storage, 'mailIndex'>, request: FilingRequest, logger: Logger): Promise<FilingResult> {
  const { mailbox, message } = request;
  const newMessage = {
    blobKey: message.blobKey,
    sizeBytes: message.sizeBytes,
    internalDate: request.internalDate,
    structure: message.structure,
    idempotencyKey: request.idempotencyKey,
  };
  let append: AppendResult;
  try {
    append = await storage.mailIndex.appendMessage(mailbox.id, newMessage, { quotaLimitBytes: request.user.quotaBytes });
  } catch (error) {
    if (!isStorageError(error, 'quota-exceeded')) throw error;
    if (request.mayBounceOverQuota) return { kind: 'over-quota' };
    // The SMTP service checked the quota at RCPT; this message was accepted just before the mailbox
    // filled up. Bouncing it could hit a forged sender (backscatter), so it is filed anyway.
    logger.warn('filed over quota', { userId: request.user.id, mailboxId: mailbox.id, quotaBytes: request.user.quotaBytes });
    append = await storage.mailIndex.appendMessage(mailbox.id, newMessage);
  }
  return { kind: 'appended', append };
}
