// The local SQLite file: WAL, synchronous=NORMAL, busy_timeout, and migrations applied exactly once.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import { MIGRATIONS } from '../../../../../core/adapters/local/schema.js';
import { openSqliteDatabase, walFileOf } from '../../../../../core/adapters/local/sqlite-database.js';

test('opens in WAL with synchronous=NORMAL (the WAL fsync is ours) and the schema at the latest version, idempotently', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'yubin-sqlite-'));
  try {
    const file = path.join(directory, 'yubin.sqlite');
    const first = openSqliteDatabase(file);
    const second = openSqliteDatabase(file);
    for (const db of [first, second]) {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL');
      assert.ok((db.pragma('busy_timeout', { simple: true }) as number) > 0, 'a short busy timeout for reads');
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0, 'checkpoints run in WalCheckpointer');
    }
    const tables = first.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    for (const table of ['aliases', 'domains', 'jobs', 'mailboxes', 'messages', 'quota_usage', 'users', 'vanished'])
      assert.ok(tables.includes(table), table);
    first.prepare("INSERT INTO domains (name, created_at) VALUES ('wal.example', 0)").run();
    assert.ok(existsSync(walFileOf(file)), 'the file GroupCommitter fsyncs is the WAL SQLite writes');
    first.close();
    second.close();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('the housekeeping migration keeps a version-1 file\'s expunged UIDs and idempotency keys, stamped with the upgrade time', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'yubin-sqlite-'));
  try {
    const file = path.join(directory, 'yubin.sqlite');
    const old = new Database(file);
    old.exec(MIGRATIONS[0] as string);
    old.pragma('user_version = 1');
    old.exec("INSERT INTO vanished (mailbox_id, uid, modseq) VALUES (1, 5, 9); INSERT INTO append_keys VALUES (1, 'job-1', 4, 3);");
    old.close();
    const before = Date.now() - 1_000;
    const db = openSqliteDatabase(file);
    const vanished = db.prepare('SELECT uid, expunged_at FROM vanished').get() as { uid: number; expunged_at: number };
    const key = db.prepare('SELECT idempotency_key, appended_at FROM append_keys').get() as { idempotency_key: string; appended_at: number };
    assert.equal(vanished.uid, 5);
    assert.ok(vanished.expunged_at >= before && vanished.expunged_at <= Date.now() + 1_000, 'not pruned at the first sweep');
    assert.equal(key.idempotency_key, 'job-1');
    assert.ok(key.appended_at >= before);
    db.close();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
