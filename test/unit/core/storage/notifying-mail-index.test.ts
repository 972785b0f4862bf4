// withChangeNotifications over the real local adapters: every mutating call publishes the mailbox's
// new HIGHESTMODSEQ; reads and no-op writes publish nothing.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openLocalStorage } from '../../../../core/adapters/local/open-local-storage.js';
import { silentLogger } from '../../../../core/log/logger.js';
import type { ChangeFeed, MailboxChange, MailIndex, Storage } from '../../../../core/ports/index.js';
import { withChangeNotifications } from '../../../../core/storage/notifying-mail-index.js';
import { sampleMessage } from '../../../contracts/support/fixtures.js';

/** A feed that hands each publish to `publish` (the decorator only publishes). */
function feedPublishingWith(publish: (change: MailboxChange) => Promise<void>): ChangeFeed {
  return { publish, watch: () => () => undefined, close: async () => undefined };
}

let dataDir: string;
let storage: Storage;
let index: MailIndex;
const published: MailboxChange[] = [];

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-notify-'));
  storage = await openLocalStorage({ dataDir });
  index = withChangeNotifications(
    storage.mailIndex,
    feedPublishingWith(async (change) => void published.push(change)),
    silentLogger,
  );
});
after(async () => {
  await storage.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('append, flags, copy, move and expunge each publish the new HIGHESTMODSEQ of the mailboxes they change', async () => {
  const inbox = await index.createMailbox('u1', 'INBOX');
  const archive = await index.createMailbox('u1', 'Archive');
  published.length = 0;
  const appended = await index.appendMessage(inbox.id, sampleMessage({ idempotencyKey: 'k1' }));
  assert.deepEqual(published, [{ userId: 'u1', mailboxId: inbox.id, highestModseq: appended.modseq }]);

  await index.appendMessage(inbox.id, sampleMessage({ idempotencyKey: 'k1' }));
  assert.equal(published.length, 1, 'a duplicate append changes nothing and publishes nothing');

  const flagged = await index.updateFlags(inbox.id, { uids: [appended.uid], operation: 'add', flags: ['\\Deleted'] });
  assert.deepEqual(published.at(-1), { userId: 'u1', mailboxId: inbox.id, highestModseq: flagged.highestModseq });
  await index.updateFlags(inbox.id, { uids: [appended.uid], operation: 'add', flags: ['\\Deleted'] });
  assert.equal(published.length, 2, 'a no-op store publishes nothing');

  await index.copyMessages(inbox.id, [appended.uid], archive.id);
  assert.deepEqual(published.at(-1), {
    userId: 'u1',
    mailboxId: archive.id,
    highestModseq: (await index.getMailboxById(archive.id))!.highestModseq,
  });

  const second = await index.appendMessage(inbox.id, sampleMessage());
  published.length = 0;
  const moved = await index.moveMessages(inbox.id, [second.uid], archive.id);
  assert.deepEqual(published.map((change) => change.mailboxId).sort(), [archive.id, inbox.id].sort());
  assert.equal(published.find((change) => change.mailboxId === inbox.id)?.highestModseq, moved.sourceHighestModseq);

  published.length = 0;
  const expunged = await index.expunge(inbox.id);
  assert.deepEqual(published, [{ userId: 'u1', mailboxId: inbox.id, highestModseq: expunged.highestModseq }]);
  await index.expunge(inbox.id);
  assert.equal(published.length, 1, 'an empty expunge publishes nothing');
});

test('a failing feed does not fail the committed write', async () => {
  const failing = feedPublishingWith(async () => Promise.reject(new Error('feed down')));
  const decorated = withChangeNotifications(storage.mailIndex, failing, silentLogger);
  const mailbox = await decorated.createMailbox('u2', 'INBOX');
  const result = await decorated.appendMessage(mailbox.id, sampleMessage());
  assert.deepEqual(await storage.mailIndex.listUids(mailbox.id), [result.uid]);
});

test('wrapping an already notifying index again publishes each change once', async () => {
  const twice = withChangeNotifications(index, feedPublishingWith(async (change) => void published.push(change)), silentLogger);
  const inbox = (await twice.getMailbox('u1', 'INBOX'))!;
  published.length = 0;
  await twice.appendMessage(inbox.id, sampleMessage());
  assert.equal(published.length, 1);
});
