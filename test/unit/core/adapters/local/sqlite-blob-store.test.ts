// SqliteBlobStore specifics the contract cannot see: which blobs become rows and which files, that a
// refused or failed put leaves neither, and that `durableWithNextWrite` waits for no fsync of its own
// while a durable put and the next durable write do.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FileBlobStore } from '../../../../../core/adapters/local/file-blob-store.js';
import { GroupCommitter } from '../../../../../core/adapters/local/group-commit.js';
import { SqliteBlobStore } from '../../../../../core/adapters/local/sqlite-blob-store.js';
import { type SqliteDatabase, openSqliteDatabase } from '../../../../../core/adapters/local/sqlite-database.js';
import { isStorageError } from '../../../../../core/ports/index.js';
import { chunked, failingAfter, readAll } from '../../../../contracts/support/streams.js';

const MAX_INLINE_BYTES = 1_000;

let directory: string;
let db: SqliteDatabase;
before(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'yubin-sqlite-blobs-'));
  db = openSqliteDatabase(path.join(directory, 'test.sqlite'));
});
after(async () => {
  db.close();
  await rm(directory, { recursive: true, force: true });
});

function storeIn(name: string, makeDurable: () => Promise<void> = async () => undefined) {
  const files = path.join(directory, name);
  const store = new SqliteBlobStore(db, new GroupCommitter(db, makeDurable), {
    largeBlobs: new FileBlobStore(files),
    maxInlineBytes: MAX_INLINE_BYTES,
  });
  return { store, files };
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)));
}

const rowExists = (key: string) => db.prepare('SELECT count(*) FROM small_blobs WHERE key = ?').pluck().get(key) === 1;

test('a blob up to the inline limit is a row and no file; one byte more is a file and no row', async () => {
  const { store, files } = storeIn('tiers');
  const small = await store.put(chunked(Buffer.alloc(MAX_INLINE_BYTES, 's'), 300), { prefix: 'spool/' });
  const large = await store.put(chunked(Buffer.alloc(MAX_INLINE_BYTES + 1, 'l'), 300), { prefix: 'spool/' });
  assert.equal(rowExists(small.key), true);
  assert.equal(rowExists(large.key), false);
  assert.deepEqual(await filesUnder(files), [large.key]);
  assert.deepEqual(await readAll(await store.get(large.key)), Buffer.alloc(MAX_INLINE_BYTES + 1, 'l'));
  assert.deepEqual(await store.head(small.key), { sizeBytes: MAX_INLINE_BYTES });
  await store.delete(small.key);
  await store.delete(large.key);
  assert.equal(rowExists(small.key), false);
  assert.deepEqual(await filesUnder(files), []);
});

test('a put over maxBytes or from a failing source leaves neither a row nor a file, on either side of the limit', async () => {
  const { store, files } = storeIn('refused');
  const rowsBefore = db.prepare('SELECT count(*) FROM small_blobs').pluck().get();
  await assert.rejects(store.put(chunked(Buffer.alloc(900), 100), { maxBytes: 500 }), (error) => isStorageError(error, 'invalid'));
  await assert.rejects(store.put(chunked(Buffer.alloc(5_000), 100), { maxBytes: 4_000 }), (error) => isStorageError(error, 'invalid'));
  await assert.rejects(store.put(failingAfter(Buffer.alloc(500))), /client went away/);
  await assert.rejects(store.put(failingAfter(Buffer.alloc(5_000))), /client went away/);
  assert.equal(db.prepare('SELECT count(*) FROM small_blobs').pluck().get(), rowsBefore);
  assert.deepEqual(await filesUnder(files), []);
});

test('durableWithNextWrite resolves without an fsync of its own; a plain put waits for one', async () => {
  let fsyncs = 0;
  let finishFsync: () => void = () => undefined;
  const { store } = storeIn('deferred', () => {
    fsyncs++;
    return new Promise<void>((resolve) => (finishFsync = resolve));
  });
  const deferred = await store.put(chunked(Buffer.from('spooled message')), { durableWithNextWrite: true });
  assert.equal(fsyncs, 0);
  assert.equal(rowExists(deferred.key), true, 'committed, so readable by every connection');

  let durable = false;
  const plain = store.put(chunked(Buffer.from('durable message'))).then(() => (durable = true));
  while (fsyncs === 0) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(durable, false, 'a plain put resolves only after its fsync');
  finishFsync();
  await plain;
});
