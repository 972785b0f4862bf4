// BlobStore contract: every adapter set stores bytes exactly, serves byte-exact ranges, and never
// exposes or keeps a blob whose write failed or overran its limit.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isStorageError } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';
import { chunked, failingAfter, readAll } from './support/streams.js';

for (const set of adapterSets) {
  describe(`BlobStore contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    before(async () => {
      opened = await set.open();
    });
    after(async () => {
      await opened.cleanup();
    });

    test('put streams a blob in and returns its key, size and SHA-256; get returns the same bytes', async () => {
      const data = randomBytes(300_000);
      const put = await opened.storage.blobs.put(chunked(data), { prefix: 'spool/' });
      assert.ok(put.key.startsWith('spool/'), put.key);
      assert.equal(put.sizeBytes, data.length);
      assert.equal(put.sha256, createHash('sha256').update(data).digest('hex'));
      assert.deepEqual(await readAll(await opened.storage.blobs.get(put.key)), data);
      assert.deepEqual(await opened.storage.blobs.head(put.key), { sizeBytes: data.length });
    });

    // Two sizes: adapters may keep small blobs elsewhere than large ones (the local one does).
    for (const size of [200_003, 20_003]) {
      test(`range reads are byte-exact, including across chunk boundaries and past the end (${size} bytes)`, async () => {
        const data = randomBytes(size);
        const { key } = await opened.storage.blobs.put(chunked(data, 7_000));
        const ranges = [
          { start: 0, end: 1 },
          { start: 0, end: 100 },
          { start: 6_999, end: 7_001 },
          { start: 12_345, end: size - 2 },
          { start: size - 4, end: size },
          { start: 100, end: 100 },
        ];
        for (const range of ranges) {
          const got = await readAll(await opened.storage.blobs.get(key, range));
          assert.deepEqual(got, data.subarray(range.start, range.end), `range ${range.start}-${range.end}`);
        }
        const pastEnd = await readAll(await opened.storage.blobs.get(key, { start: size - 3, end: size + 100_000 }));
        assert.deepEqual(pastEnd, data.subarray(size - 3));
        assert.equal((await readAll(await opened.storage.blobs.get(key, { start: size + 5, end: size + 10 }))).length, 0);
        await assert.rejects(opened.storage.blobs.get(key, { start: 10, end: 5 }), (error) => isStorageError(error, 'invalid'));
      });
    }

    test('a put made durable with the next write is readable at once and stays after that write', async () => {
      const data = randomBytes(8_000);
      const put = await opened.storage.blobs.put(chunked(data), { prefix: 'spool/', durableWithNextWrite: true });
      assert.deepEqual(await readAll(await opened.storage.blobs.get(put.key)), data);
      await opened.storage.inboundQueue.send({
        kind: 'inbound',
        messageId: 'blob-contract',
        blobKey: put.key,
        sizeBytes: data.length,
        envelope: { mailFrom: 'sender@remote.example', recipients: [{ address: 'alice@example.test', notify: ['FAILURE'] }] },
        client: { ip: '192.0.2.7', helo: 'mx.remote.example', tls: true },
        receivedAt: '2026-11-30T10:00:00.000Z',
      });
      assert.deepEqual(await opened.storage.blobs.head(put.key), { sizeBytes: data.length });
      assert.equal(put.sha256, createHash('sha256').update(data).digest('hex'));
    });

    test('an empty blob can be stored and read', async () => {
      const { key, sizeBytes, sha256 } = await opened.storage.blobs.put(chunked(Buffer.alloc(0)));
      assert.equal(sizeBytes, 0);
      assert.equal(sha256, createHash('sha256').digest('hex'));
      assert.equal((await readAll(await opened.storage.blobs.get(key))).length, 0);
    });

    test('two puts of the same bytes get different keys', async () => {
      const data = Buffer.from('Subject: same\r\n\r\nsame body\r\n');
      const first = await opened.storage.blobs.put(chunked(data));
      const second = await opened.storage.blobs.put(chunked(data));
      assert.notEqual(first.key, second.key);
      assert.equal(first.sha256, second.sha256);
    });

    test('a missing blob: get throws not-found, head is null, delete is quiet', async () => {
      const { key } = await opened.storage.blobs.put(chunked(Buffer.from('short-lived')));
      await opened.storage.blobs.delete(key);
      assert.equal(await opened.storage.blobs.head(key), null);
      await assert.rejects(opened.storage.blobs.get(key), (error) => isStorageError(error, 'not-found'));
      await opened.storage.blobs.delete(key);
    });

    test('a stream over maxBytes is refused with invalid', async () => {
      const data = randomBytes(50_000);
      await assert.rejects(opened.storage.blobs.put(chunked(data, 4_096), { prefix: 'spool/', maxBytes: 49_999 }), (error) =>
        isStorageError(error, 'invalid'),
      );
      const exact = await opened.storage.blobs.put(chunked(data, 4_096), { maxBytes: 50_000 });
      assert.equal(exact.sizeBytes, 50_000);
    });

    test('a source that fails mid-stream rejects the put', async () => {
      await assert.rejects(opened.storage.blobs.put(failingAfter(randomBytes(10_000)), { prefix: 'spool/' }), /client went away/);
    });

    test('concurrent puts all land intact', async () => {
      const blobs = Array.from({ length: 40 }, (_, index) => randomBytes(1_000 + index * 97));
      const keys = await Promise.all(blobs.map((data) => opened.storage.blobs.put(chunked(data), { prefix: 'msg/' })));
      assert.equal(new Set(keys.map((put) => put.key)).size, blobs.length);
      for (const [index, put] of keys.entries()) {
        assert.deepEqual(await readAll(await opened.storage.blobs.get(put.key)), blobs[index]);
      }
    });
  });
}
