// Decorator: publishes a MailboxChange on the change feed after every MailIndex call that changes a
// mailbox's messages (append, flags, copy, move, expunge), so IDLE sessions wake (RFC 2177) on any
// backend. The write has already committed when the feed is told; a failed publish is logged, not
// thrown (the change is durable, and pollers see it on their next look), so callers never redo work.
import { type Logger, createLogger } from '../log/logger.js';
import type { ChangeFeed } from '../ports/change-feed.js';
import type { MailIndex, Mailbox } from '../ports/mail-index.js';

/** Owners of mailboxes recently written; a mailbox never changes owner, so entries never go stale. */
const OWNER_CACHE_SIZE = 10_000;

/** Marks a decorated index, so that wrapping twice (a composition root and a use case both asking
 * for notifications) publishes each change once. */
const NOTIFYING = Symbol('publishes-changes');

export function withChangeNotifications(index: MailIndex, feed: ChangeFeed, logger: Logger = createLogger()): MailIndex {
  if (NOTIFYING in index) return index;
  const owners = new Map<string, string>();

  const remember = (mailbox: Mailbox | null): Mailbox | null => {
    if (mailbox) {
      if (owners.size >= OWNER_CACHE_SIZE) owners.delete(owners.keys().next().value!);
      owners.set(mailbox.id, mailbox.userId);
    }
    return mailbox;
  };

  const publish = async (mailboxId: string, highestModseq?: number): Promise<void> => {
    try {
      let userId = owners.get(mailboxId);
      let modseq = highestModseq;
      if (userId === undefined || modseq === undefined) {
        const mailbox = remember(await index.getMailboxById(mailboxId));
        if (!mailbox) return; // deleted meanwhile: nobody can be watching it any more
        userId = mailbox.userId;
        modseq = Math.max(modseq ?? 0, mailbox.highestModseq);
      }
      await feed.publish({ userId, mailboxId, highestModseq: modseq });
    } catch (error) {
      logger.warn('change feed publish failed', { mailboxId, error });
    }
  };

  const notifying: MailIndex & { readonly [NOTIFYING]: true } = {
    ...bindAll(index),
    [NOTIFYING]: true,
    async getMailboxById(mailboxId) {
      return remember(await index.getMailboxById(mailboxId));
    },
    async appendMessage(mailboxId, message, options) {
      const result = await index.appendMessage(mailboxId, message, options);
      if (!result.duplicate) await publish(mailboxId, result.modseq);
      return result;
    },
    async appendMessages(mailboxId, messages, options) {
      const results = await index.appendMessages(mailboxId, messages, options);
      if (results.length > 0) await publish(mailboxId, Math.max(...results.map((result) => result.modseq)));
      return results;
    },
    async updateFlags(mailboxId, update) {
      const result = await index.updateFlags(mailboxId, update);
      if (result.updated.length > 0) await publish(mailboxId, result.highestModseq);
      return result;
    },
    async copyMessages(sourceMailboxId, uids, destinationMailboxId) {
      const result = await index.copyMessages(sourceMailboxId, uids, destinationMailboxId);
      if (result.mapping.length > 0) await publish(destinationMailboxId);
      return result;
    },
    async moveMessages(sourceMailboxId, uids, destinationMailboxId) {
      const result = await index.moveMessages(sourceMailboxId, uids, destinationMailboxId);
      if (result.mapping.length > 0)
        await Promise.all([publish(sourceMailboxId, result.sourceHighestModseq), publish(destinationMailboxId)]);
      return result;
    },
    async expunge(mailboxId, uids) {
      const result = await index.expunge(mailboxId, uids);
      if (result.expunged.length > 0) await publish(mailboxId, result.highestModseq);
      return result;
    },
  };
  return notifying;
}

/** Every MailIndex method bound to `index`, so the decorator forwards what it does not override. */
function bindAll(index: MailIndex): MailIndex {
  return {
    createMailbox: index.createMailbox.bind(index),
    getMailbox: index.getMailbox.bind(index),
    getMailboxById: index.getMailboxById.bind(index),
    listMailboxes: index.listMailboxes.bind(index),
    renameMailbox: index.renameMailbox.bind(index),
    deleteMailbox: index.deleteMailbox.bind(index),
    setSubscribed: index.setSubscribed.bind(index),
    appendMessage: index.appendMessage.bind(index),
    appendMessages: index.appendMessages.bind(index),
    listUids: index.listUids.bind(index),
    listMessages: index.listMessages.bind(index),
    getMessages: index.getMessages.bind(index),
    getEnvelopes: index.getEnvelopes.bind(index),
    getImapEnvelopes: index.getImapEnvelopes.bind(index),
    searchHeaders: index.searchHeaders.bind(index),
    updateFlags: index.updateFlags.bind(index),
    copyMessages: index.copyMessages.bind(index),
    moveMessages: index.moveMessages.bind(index),
    expunge: index.expunge.bind(index),
    changesSince: index.changesSince.bind(index),
    getQuotaUsage: index.getQuotaUsage.bind(index),
    claimRecent: index.claimRecent.bind(index),
  };
}
