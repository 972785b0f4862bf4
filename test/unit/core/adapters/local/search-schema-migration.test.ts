// Data dirs made by older versions keep working: opening one made before the search schema
// (user_version 1) adds the header search table filled from the cached envelopes and queues every
// message for the text indexer; opening one whose text index has no positions queues every message to index it again.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { FileBlobStore } from '../../../../../core/adapters/local/file-blob-store.js';
import { BLOB_DIRECTORY_NAME, INDEX_FILE_NAME, openLocalStorage } from '../../../../../core/adapters/local/open-local-storage.js';
import { MIGRATIONS } from '../../../../../core/adapters/local/schema.js';
import { silentLogger } from '../../../../../core/log/logger.js';
import { parseMessageStructure } from '../../../../../core/mime/index.js';
import { TextIndexer } from '../../../../../core/search/text-indexer.js';

const RAW = 'From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\r\nSubject: Old =?UTF-8?B?5Lya6K2w?=\r\n\r\nA message from before the upgrade.\r\n';

test('a version-1 data dir gains header search and a queued text index on open', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-migrate-'));
  try {
    const source = async function* () {
      yield Buffer.from(RAW);
    };
    const blob = await new FileBlobStore(path.join(dataDir, BLOB_DIRECTORY_NAME)).put(source(), { prefix: 'msg/' });
    const structure = await parseMessageStructure(source());
    const old = new Database(path.join(dataDir, INDEX_FILE_NAME));
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO mailboxes (id, user_id, name, subscribed, uid_validity, uid_next, highest_modseq, message_count) VALUES (1, 'u1', 'INBOX', 1, 7, 2, 2, 1)").run();
    old.prepare("INSERT INTO messages (mailbox_id, uid, modseq, flags, seen, internal_date, size_bytes, blob_key, structure) VALUES (1, 1, 2, '[]', 0, 0, ?, ?, ?)").run(
      blob.sizeBytes,
      blob.key,
      JSON.stringify(structure),
    );
    old.close();

    const storage = await openLocalStorage({ dataDir });
    try {
      assert.deepEqual(await storage.mailIndex.searchHeaders('1', 'subject', 'old 会議'), [1]);
      assert.deepEqual(await storage.mailIndex.searchHeaders('1', 'from', '山田'), [1]);
      assert.deepEqual((await storage.textIndex!.findCandidates('1', 'body', 'upgrade'))?.unindexed, [1]);
      assert.equal(await new TextIndexer(storage.textIndex!, storage.blobs, silentLogger).drain(), 1);
      const after = await storage.textIndex!.findCandidates('1', 'body', 'upgrade');
      assert.deepEqual(after, { matches: [1], candidates: [], unindexed: [] });
    } finally {
      await storage.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a text index without positions is built again: its messages are read by SEARCH until indexed', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-migrate-'));
  try {
    const source = async function* () {
      yield Buffer.from(RAW);
    };
    const blob = await new FileBlobStore(path.join(dataDir, BLOB_DIRECTORY_NAME)).put(source(), { prefix: 'msg/' });
    const structure = await parseMessageStructure(source());
    const positionsAt = MIGRATIONS.findIndex((migration) => typeof migration === 'string' && migration.includes('detail=full'));
    assert.ok(positionsAt > 0);
    const old = new Database(path.join(dataDir, INDEX_FILE_NAME));
    for (const migration of MIGRATIONS.slice(0, positionsAt)) {
      if (typeof migration === 'string') old.exec(migration);
      else migration(old);
    }
    old.pragma(`user_version = ${positionsAt}`);
    old.prepare("INSERT INTO mailboxes (id, user_id, name, subscribed, uid_validity, uid_next, highest_modseq, message_count) VALUES (1, 'u1', 'INBOX', 1, 7, 3, 3, 2)").run();
    const insert = old.prepare("INSERT INTO messages (id, mailbox_id, uid, modseq, flags, seen, internal_date, size_bytes, blob_key, structure) VALUES (?, 1, ?, 2, '[]', 0, 0, ?, ?, ?)");
    insert.run(1, 1, blob.sizeBytes, blob.key, JSON.stringify(structure));
    insert.run(2, 2, blob.sizeBytes, blob.key, JSON.stringify(structure));
    // Message 1 was indexed by the old table; message 2 had been skipped (too much text) and stays so.
    old.prepare("INSERT INTO message_text (rowid, header, body) VALUES (1, 'subject: old', 'a message from before the upgrade.')").run();
    old.prepare('INSERT INTO message_text_pending (message_id, mailbox_id, uid, skipped) VALUES (2, 1, 2, 1)').run();
    old.close();

    const storage = await openLocalStorage({ dataDir });
    try {
      assert.deepEqual((await storage.textIndex!.findCandidates('1', 'body', 'upgrade'))?.unindexed, [1, 2]);
      assert.equal(await new TextIndexer(storage.textIndex!, storage.blobs, silentLogger).drain(), 1, 'the skipped one is not offered');
      assert.deepEqual(await storage.textIndex!.findCandidates('1', 'body', 'before the upgrade'), { matches: [1], candidates: [], unindexed: [2] });
    } finally {
      await storage.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
