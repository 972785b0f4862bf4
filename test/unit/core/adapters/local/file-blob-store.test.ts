// FileBlobStore specifics the contract cannot see: no partial blob is ever visible under its key,
// and a refused or failed put leaves no file behind.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FileBlobStore } from '../../../../../core/adapters/local/file-blob-store.js';
import { isStorageError } from '../../../../../core/ports/index.js';
import { chunked, failingAfter } from '../../../../contracts/support/streams.js';
import { eventuallyTrue } from '../../../../support/eventually.js';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'yubin-blobs-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

test('while a put is streaming only a temp file exists; the blob appears whole under its key', async () => {
  const store = new FileBlobStore(path.join(root, 'streaming'));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let firstChunkWritten!: () => void;
  const midway = new Promise<void>((resolve) => (firstChunkWritten = resolve));
  async function* slowSource(): AsyncGenerator<Uint8Array> {
    yield Buffer.alloc(10_000, 'a');
    firstChunkWritten();
    await gate;
    yield Buffer.alloc(10_000, 'b');
  }
  const putting = store.put(slowSource(), { prefix: 'spool/' });
  await midway;
  await new Promise((resolve) => setImmediate(resolve));
  const during = await filesUnder(path.join(root, 'streaming'));
  assert.ok(
    during.every((file) => path.basename(file).startsWith('.tmp-')),
    `only temp files while streaming: ${during.join(', ')}`,
  );
  release();
  const { key, sizeBytes } = await putting;
  assert.equal(sizeBytes, 20_000);
  assert.deepEqual(await filesUnder(path.join(root, 'streaming')), [key]);
});

test('a put over maxBytes or from a failing source leaves no file behind', async () => {
  const directory = path.join(root, 'refused');
  const store = new FileBlobStore(directory);
  await assert.rejects(store.put(chunked(Buffer.alloc(100_000), 1_000), { prefix: 'spool/', maxBytes: 50_000 }), (error) =>
    isStorageError(error, 'invalid'),
  );
  await assert.rejects(store.put(failingAfter(Buffer.alloc(5_000)), { prefix: 'spool/' }), /client went away/);
  assert.deepEqual(await filesUnder(directory), []);
});

test('keys and prefixes cannot leave the blob directory', async () => {
  const store = new FileBlobStore(path.join(root, 'safe'));
  for (const key of ['../escape', 'a/../../b', '/etc/passwd', 'spool/.tmp-123', '']) {
    await assert.rejects(store.get(key), (error) => isStorageError(error, 'invalid'), key);
  }
  await assert.rejects(store.put(chunked(Buffer.from('x')), { prefix: '../' }), (error) => isStorageError(error, 'invalid'));
});

test('every read closes its file: read to the end, destroyed unread, or destroyed after the first chunk', async () => {
  const store = new FileBlobStore(path.join(root, 'descriptors'));
  const { key } = await store.put(chunked(Buffer.alloc(300_000, 'x'), 10_000));
  const openFiles = async () => (await readdir('/proc/self/fd')).length;
  const before = await openFiles();
  for (let round = 0; round < 20; round++) {
    let bytes = 0;
    for await (const chunk of await store.get(key)) bytes += (chunk as Buffer).length;
    assert.equal(bytes, 300_000);
    (await store.get(key, { start: 10, end: 20 })).destroy();
    const partly = await store.get(key);
    await new Promise((resolve) => partly.once('readable', resolve));
    partly.read();
    partly.destroy();
    await new Promise((resolve) => partly.once('close', resolve));
  }
  // At most as many as before: a descriptor of an earlier test may close meanwhile (it made this flaky).
  await eventuallyTrue(async () => (await openFiles()) <= before, 'every blob file closed');
});
