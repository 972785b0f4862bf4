// ensureDefaultMailboxes over the real local adapters: creates the six RFC 6154 mailboxes once.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openLocalStorage } from '../../../../core/adapters/local/open-local-storage.js';
import type { Storage } from '../../../../core/ports/index.js';
import { ensureDefaultMailboxes } from '../../../../core/storage/default-mailboxes.js';

let dataDir: string;
let storage: Storage;
before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-defaults-'));
  storage = await openLocalStorage({ dataDir });
});
after(async () => {
  await storage.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('creates INBOX, Sent, Drafts, Trash, Junk and Archive with special-use attributes', async () => {
  const created = await ensureDefaultMailboxes(storage.mailIndex, 'user-a');
  assert.deepEqual(
    created.map((mailbox) => [mailbox.name, mailbox.specialUse, mailbox.subscribed]),
    [
      ['INBOX', null, true],
      ['Sent', '\\Sent', true],
      ['Drafts', '\\Drafts', true],
      ['Trash', '\\Trash', true],
      ['Junk', '\\Junk', true],
      ['Archive', '\\Archive', true],
    ],
  );
});

test('is idempotent, also when called concurrently, and keeps mailboxes the user already has', async () => {
  const existingTrash = await storage.mailIndex.createMailbox('user-b', 'Trash', { specialUse: '\\Trash' });
  const [first, second] = await Promise.all([
    ensureDefaultMailboxes(storage.mailIndex, 'user-b'),
    ensureDefaultMailboxes(storage.mailIndex, 'user-b'),
  ]);
  assert.deepEqual(
    first.map((mailbox) => mailbox.id),
    second.map((mailbox) => mailbox.id),
  );
  assert.equal(first.find((mailbox) => mailbox.name === 'Trash')?.id, existingTrash.id);
  assert.equal((await storage.mailIndex.listMailboxes('user-b')).length, 6);
  const again = await ensureDefaultMailboxes(storage.mailIndex, 'user-b');
  assert.deepEqual(
    again.map((mailbox) => mailbox.id),
    first.map((mailbox) => mailbox.id),
  );
});
