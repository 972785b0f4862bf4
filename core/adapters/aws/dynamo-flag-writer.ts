// STORE on DynamoDB: flag changes with CONDSTORE's UNCHANGEDSINCE (RFC 7162 §3.1.3). Each batch of up
// to 98 messages takes one new MODSEQ in one transaction with the mailbox counter; every message
// update is conditioned on the MODSEQ read, so a concurrent change makes the batch re-read and retry.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FlagOperation, FlagUpdate, FlagUpdateResult } from '../../ports/mail-index.js';
import { normalizeFlags } from '../../mail/flags.js';
import { batchGetAll } from './dynamo-batch.js';
import { mailboxCounterUpdate } from './dynamo-counters.js';
import type { DynamoMailboxStore } from './dynamo-mailbox-store.js';
import { flagCounterDelta } from './dynamo-mail-items.js';
import { isLostRace, MAX_TRANSACTION_ITEMS, retryOnLostRace, transact, type TransactItem } from './dynamo-transactions.js';

export interface MailTables {
  readonly mailboxes: string;
  readonly messages: string;
  readonly vanished: string;
}

/** The mailbox counter takes one slot of each transaction. */
const FLAG_BATCH = MAX_TRANSACTION_ITEMS - 2;

/** RFC 3501 §6.4.6 STORE FLAGS / +FLAGS / -FLAGS, comparing flags case-insensitively (§2.3.2). */
export function applyFlagOperation(current: readonly string[], operation: FlagOperation, flags: readonly string[]): string[] {
  const given = normalizeFlags(flags);
  if (operation === 'replace') return given;
  if (operation === 'add') return normalizeFlags([...current, ...given]);
  const removed = new Set(given.map((flag) => flag.toLowerCase()));
  return current.filter((flag) => !removed.has(flag.toLowerCase()));
}

const sameFlags = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((flag) => b.includes(flag));

type Updated = FlagUpdateResult['updated'][number];

export class DynamoFlagWriter {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly mailboxes: DynamoMailboxStore,
    private readonly tables: MailTables,
  ) {}

  async update(mailboxId: string, update: FlagUpdate): Promise<FlagUpdateResult> {
    const uids = [...new Set(update.uids)].sort((a, b) => a - b);
    const updated: Updated[] = [];
    const modified: number[] = [];
    let highestModseq = (await this.mailboxes.require(mailboxId)).highestModseq;
    for (let offset = 0; offset < uids.length; offset += FLAG_BATCH) {
      const batch = uids.slice(offset, offset + FLAG_BATCH);
      const result = await retryOnLostRace('store flags', () => this.updateBatch(mailboxId, batch, update));
      updated.push(...result.updated);
      modified.push(...result.modified);
      highestModseq = Math.max(highestModseq, result.highestModseq);
    }
    return { updated, modified, highestModseq };
  }

  private async updateBatch(mailboxId: string, uids: readonly number[], update: FlagUpdate): Promise<FlagUpdateResult | undefined> {
    const mailbox = await this.mailboxes.require(mailboxId);
    const messages = await batchGetAll(
      this.dynamo,
      this.tables.messages,
      uids.map((uid) => ({ mailboxId, uid })),
    );
    const modseq = mailbox.highestModseq + 1;
    const modified: number[] = [];
    const updated: Updated[] = [];
    const writes: TransactItem[] = [];
    let unseen = 0;
    let deleted = 0;
    for (const message of messages.sort((a, b) => (a.uid as number) - (b.uid as number))) {
      const uid = message.uid as number;
      const before = (message.flags as string[] | undefined) ?? [];
      if (update.unchangedSince !== undefined && (message.modseq as number) > update.unchangedSince) {
        modified.push(uid);
        continue;
      }
      const after = applyFlagOperation(before, update.operation, update.flags);
      if (sameFlags(before, after)) continue;
      const delta = flagCounterDelta(before, after);
      unseen += delta.unseen;
      deleted += delta.deleted;
      updated.push({ uid, modseq, flags: after });
      writes.push({
        Update: {
          TableName: this.tables.messages,
          Key: { mailboxId, uid },
          UpdateExpression: 'SET flags = :flags, modseq = :modseq',
          ConditionExpression: 'modseq = :seen',
          ExpressionAttributeValues: { ':flags': after, ':modseq': modseq, ':seen': message.modseq },
        },
      });
    }
    if (writes.length === 0) return { updated, modified, highestModseq: mailbox.highestModseq };
    const outcome = await transact(
      this.dynamo,
      [mailboxCounterUpdate(this.tables.mailboxes, mailbox, { unseen, deleted }), ...writes],
      'store flags',
    );
    if (outcome.committed) return { updated, modified, highestModseq: modseq };
    if (
      isLostRace(
        outcome,
        outcome.reasons.map((_, i) => i),
      )
    )
      return undefined;
    throw new Error(`store flags cancelled: ${outcome.reasons.join(',')}`);
  }
}
