// GroupCommitter: writes of one event-loop turn share one transaction, each write is isolated in
// its savepoint, and a promise resolves only once its batch has committed and been made durable.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { GroupCommitter } from '../../../../../core/adapters/local/group-commit.js';
import { type SqliteDatabase, openSqliteDatabase } from '../../../../../core/adapters/local/sqlite-database.js';
import { isStorageError } from '../../../../../core/ports/index.js';

/** These cases are about batching and isolation; WAL durability is covered by open-local-storage. */
const noFsync = async (): Promise<void> => undefined;

let directory: string;
let db: SqliteDatabase;
let observer: Database.Database;
before(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'yubin-group-'));
  db = openSqliteDatabase(path.join(directory, 'test.sqlite'));
  db.exec('CREATE TABLE IF NOT EXISTS items (name TEXT PRIMARY KEY)');
  // A second connection sees only committed data, like another process would.
  observer = new Database(path.join(directory, 'test.sqlite'), { readonly: true });
});
after(async () => {
  observer.close();
  db.close();
  await rm(directory, { recursive: true, force: true });
});

const committed = (name: string) => observer.prepare('SELECT count(*) FROM items WHERE name = ?').pluck().get(name) === 1;

test('writes issued together run in one transaction and are committed when their promises resolve', async () => {
  const committer = new GroupCommitter(db, noFsync);
  const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
  let firstVisibleToOthersDuringBatch: boolean | null = null;
  const first = committer.write(() => insert.run('batch-1'));
  const second = committer.write(() => {
    // Still inside the shared transaction: the first write is not committed yet.
    firstVisibleToOthersDuringBatch = committed('batch-1');
    insert.run('batch-2');
  });
  await Promise.all([first, second]);
  assert.equal(firstVisibleToOthersDuringBatch, false);
  assert.equal(committed('batch-1'), true);
  assert.equal(committed('batch-2'), true);
});

test('a write that throws is rolled back alone; the rest of its batch commits', async () => {
  const committer = new GroupCommitter(db, noFsync);
  const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
  const results = await Promise.allSettled([
    committer.write(() => insert.run('kept-1')),
    committer.write(() => {
      insert.run('rolled-back');
      throw new Error('refused');
    }),
    committer.write(() => insert.run('kept-1')), // primary key clash
    committer.write(() => insert.run('kept-2')),
  ]);
  assert.deepEqual(
    results.map((result) => result.status),
    ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
  );
  assert.equal(committed('kept-1'), true);
  assert.equal(committed('kept-2'), true);
  assert.equal(committed('rolled-back'), false);
});

test('while another process holds the write lock, writes wait on a timer and the event loop keeps running', async () => {
  const committer = new GroupCommitter(db, noFsync);
  const other = new Database(path.join(directory, 'test.sqlite'));
  other.pragma('busy_timeout = 0');
  other.prepare('BEGIN IMMEDIATE').run();
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  try {
    const waiting = committer.write(() => db.prepare('INSERT INTO items (name) VALUES (?)').run('after-lock'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(committed('after-lock'), false);
    other.prepare('COMMIT').run();
    await waiting;
    assert.equal(committed('after-lock'), true);
    assert.ok(ticks >= 5, `the event loop ran ${ticks} timer ticks while the write waited`);
  } finally {
    clearInterval(ticker);
    other.close();
  }
});

test('a committed write resolves only after the durability step, and fails as unavailable if that fails', async () => {
  let finishFsync!: () => void;
  let fsyncs = 0;
  const committer = new GroupCommitter(db, () => {
    fsyncs++;
    return new Promise<void>((resolve) => (finishFsync = resolve));
  });
  let resolved = false;
  const writing = committer
    .write(() => db.prepare('INSERT INTO items (name) VALUES (?)').run('awaiting-fsync'))
    .then(() => (resolved = true));
  const alsoWriting = committer.write(() => db.prepare('INSERT INTO items (name) VALUES (?)').run('same-fsync'));
  while (fsyncs === 0) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(committed('awaiting-fsync'), true, 'committed');
  assert.equal(resolved, false, 'but not acknowledged before the fsync');
  finishFsync();
  await Promise.all([writing, alsoWriting]);
  assert.equal(fsyncs, 1, 'one fsync for the batch');

  const failing = new GroupCommitter(db, async () => Promise.reject(new Error('EIO')));
  await assert.rejects(
    failing.write(() => db.prepare('INSERT INTO items (name) VALUES (?)').run('unsynced')),
    (error) => isStorageError(error, 'unavailable'),
  );
});

test('writeVisible resolves at COMMIT without waiting for an fsync; a later write waits for the one covering both', async () => {
  let finishFsync!: () => void;
  let fsyncs = 0;
  const committer = new GroupCommitter(db, () => {
    fsyncs++;
    return new Promise<void>((resolve) => (finishFsync = resolve));
  });
  await committer.writeVisible(() => db.prepare('INSERT INTO items (name) VALUES (?)').run('visible-first'));
  assert.equal(committed('visible-first'), true, 'readable by others once resolved');
  assert.equal(fsyncs, 0, 'a batch of visible-only writes starts no fsync');
  let durable = false;
  const later = committer.write(() => db.prepare('INSERT INTO items (name) VALUES (?)').run('durable-later')).then(() => (durable = true));
  while (fsyncs === 0) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(durable, false, 'the durable write waits for its fsync');
  finishFsync();
  await later;
  assert.equal(fsyncs, 1);
});
