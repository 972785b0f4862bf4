// GroupedFsync: callers share an fsync that has not started; with maxInFlight 2 a caller arriving
// during a running fsync starts its own at once; no caller is released by an fsync that started
// before its call; a failed fsync fails only its own callers.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { GroupedFsync } from '../../../../../core/adapters/local/grouped-fsync.js';
import { WalFileSync } from '../../../../../core/adapters/local/wal-file-sync.js';

/** A fake fsync whose runs the test finishes by hand, in any order. */
function manualSync() {
  const runs: { finish: (error?: Error) => void }[] = [];
  return {
    runs,
    syncNow: () => new Promise<void>((resolve, reject) => runs.push({ finish: (error) => (error ? reject(error) : resolve()) })),
  };
}

const settledFlags = (promises: Promise<void>[]) => {
  const flags = promises.map(() => 'pending' as 'pending' | 'done' | 'failed');
  promises.forEach((p, i) => p.then(() => (flags[i] = 'done'), () => (flags[i] = 'failed')));
  return flags;
};
const turn = () => new Promise((resolve) => setImmediate(resolve));

test('one at a time: callers during a running fsync share the next one, which starts when it ends', async () => {
  const fake = manualSync();
  const fsync = new GroupedFsync({ syncNow: fake.syncNow });
  const first = fsync.sync('wal');
  const during = [fsync.sync('wal'), fsync.sync('wal')];
  assert.equal(fake.runs.length, 1);
  const flags = settledFlags([first, ...during]);
  fake.runs[0]!.finish();
  await turn();
  assert.deepEqual(flags, ['done', 'pending', 'pending'], 'the running fsync may have missed their changes');
  assert.equal(fake.runs.length, 2, 'the shared next fsync started');
  fake.runs[1]!.finish();
  await turn();
  assert.deepEqual(flags, ['done', 'done', 'done']);
});

test('two in flight: a caller during a running fsync starts a second at once; a third waits for a free slot', async () => {
  const fake = manualSync();
  const fsync = new GroupedFsync({ maxInFlight: 2, syncNow: fake.syncNow });
  const a = fsync.sync('wal');
  const b = fsync.sync('wal');
  assert.equal(fake.runs.length, 2, 'b did not wait for a');
  const c = fsync.sync('wal');
  const d = fsync.sync('wal');
  assert.equal(fake.runs.length, 2, 'both slots busy: c and d share a pending fsync');
  const flags = settledFlags([a, b, c, d]);
  fake.runs[1]!.finish(); // the second finishes first: it releases b only
  await turn();
  assert.deepEqual(flags, ['pending', 'done', 'pending', 'pending']);
  assert.equal(fake.runs.length, 3, 'the freed slot runs the fsync c and d share');
  fake.runs[0]!.finish();
  await turn();
  assert.deepEqual(flags, ['done', 'done', 'pending', 'pending']);
  fake.runs[2]!.finish();
  await turn();
  assert.deepEqual(flags, ['done', 'done', 'done', 'done']);
});

test('a failed fsync rejects its own callers only; paths are grouped apart', async () => {
  const fake = manualSync();
  const fsync = new GroupedFsync({ syncNow: fake.syncNow });
  const failing = fsync.sync('wal');
  const next = fsync.sync('wal');
  const other = fsync.sync('blobs/');
  assert.equal(fake.runs.length, 2, 'another path does not wait for the WAL');
  const flags = settledFlags([failing, next, other]);
  fake.runs[0]!.finish(new Error('EIO'));
  await turn();
  assert.deepEqual(flags, ['failed', 'pending', 'pending']);
  fake.runs[2]!.finish();
  fake.runs[1]!.finish();
  await turn();
  assert.deepEqual(flags, ['failed', 'done', 'done']);
});

test('WalFileSync: no WAL yet is nothing to sync; once it exists, syncs through one held descriptor', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'yubin-wal-sync-'));
  try {
    const wal = new WalFileSync(path.join(directory, 'db-wal'));
    await wal.sync(); // ENOENT: resolves
    await writeFile(wal.path, 'frames');
    await wal.sync();
    await Promise.all([wal.sync(), wal.sync()]);
    await wal.close();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
