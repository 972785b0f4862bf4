// The background WAL checkpointer: with automatic checkpoints off in the main connection, the
// worker still moves committed pages from the WAL into the database file, and stops cleanly.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openLocalStorage } from '../../../../../core/adapters/local/open-local-storage.js';
import { sampleMessage } from '../../../../contracts/support/fixtures.js';

test('committed pages reach the database file without checkpoints in the writing connection', { timeout: 30_000 }, async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-checkpoint-'));
  try {
    const storage = await openLocalStorage({ dataDir, checkpointIntervalMs: 50 });
    const databaseFile = path.join(dataDir, 'yubin.sqlite');
    const before = (await stat(databaseFile)).size;
    const mailbox = await storage.mailIndex.createMailbox('user', 'INBOX');
    await Promise.all(Array.from({ length: 300 }, () => storage.mailIndex.appendMessage(mailbox.id, sampleMessage())));
    const deadline = Date.now() + 20_000;
    while ((await stat(databaseFile)).size < before + 100_000 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok((await stat(databaseFile)).size >= before + 100_000, 'the checkpoint copied the new pages into the database');
    await storage.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
