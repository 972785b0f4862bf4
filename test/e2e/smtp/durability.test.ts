// 250 only once blob and job are durable: an injected storage failure gives 451 4.3.0 and leaves
// nothing behind; 50 concurrent clients × 5 messages give exactly 250 jobs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InboundDeliveryJob } from '../../../core/mail/jobs.js';
import { StorageError, type Storage } from '../../../core/ports/index.js';
import { RawSmtpClient } from './support/raw-client.js';
import { queuedJobs, spooledBlobs, startSmtpFixture } from './support/smtp-fixture.js';

/** A real adapter set whose inbound queue refuses while `failing` is set (a decorator, not a fake). */
function failingQueue(state: { failing: boolean }) {
  return (storage: Storage): Storage => ({
    ...storage,
    close: () => storage.close(),
    inboundQueue: {
      ...storage.inboundQueue,
      receive: (options) => storage.inboundQueue.receive(options),
      ack: (job) => storage.inboundQueue.ack(job),
      retry: (job, delay) => storage.inboundQueue.retry(job, delay),
      depth: () => storage.inboundQueue.depth(),
      send: (body, options) => (state.failing ? Promise.reject(new StorageError('unavailable', 'queue throttled')) : storage.inboundQueue.send(body, options)),
    },
  });
}

async function sendOne(port: number): Promise<string> {
  const client = await RawSmtpClient.connect(port);
  await client.reply();
  client.send('EHLO c.example\r\nMAIL FROM:<s@remote.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n');
  for (let i = 0; i < 4; i++) await client.reply();
  client.send('Subject: t\r\n\r\nbody\r\n.\r\n');
  const reply = await client.reply();
  client.close();
  return reply.text;
}

test('a queue failure → 451 4.3.0, the blob is deleted and nothing is queued; recovery → 250', async () => {
  const state = { failing: true };
  const fixture = await startSmtpFixture({ wrapStorage: failingQueue(state) });
  try {
    assert.match(await sendOne(fixture.service.ports.smtp), /^451 4\.3\.0 Temporary failure/u);
    assert.deepEqual(await spooledBlobs(fixture.dataDir), [], 'no blob left behind');
    assert.deepEqual(await queuedJobs(fixture.storage.inboundQueue), []);
    state.failing = false;
    assert.match(await sendOne(fixture.service.ports.smtp), /^250 2\.0\.0 Ok: queued/u);
    assert.equal((await queuedJobs(fixture.storage.inboundQueue)).length, 1);
  } finally {
    await fixture.close();
  }
});

test('a blob store failure → 451 4.3.0 and nothing queued', async () => {
  const fixture = await startSmtpFixture({
    wrapStorage: (storage) => ({
      ...storage,
      close: () => storage.close(),
      blobs: {
        put: () => Promise.reject(new StorageError('unavailable', 'disk gone')),
        get: (key, range) => storage.blobs.get(key, range),
        head: (key) => storage.blobs.head(key),
        delete: (key) => storage.blobs.delete(key),
      },
    }),
  });
  try {
    assert.match(await sendOne(fixture.service.ports.smtp), /^451 4\.3\.0/u);
    assert.deepEqual(await queuedJobs(fixture.storage.inboundQueue), []);
  } finally {
    await fixture.close();
  }
});

test('50 concurrent clients × 5 messages → exactly 250 jobs, each its own blob', async () => {
  const fixture = await startSmtpFixture();
  try {
    const port = fixture.service.ports.smtp;
    const clients = Array.from({ length: 50 }, async (_, c) => {
      const client = await RawSmtpClient.connect(port);
      assert.equal((await client.reply()).code, 220);
      await client.command(`EHLO client${c}.example`);
      for (let m = 0; m < 5; m++) {
        client.send(`MAIL FROM:<c${c}@remote.example>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n`);
        for (let i = 0; i < 3; i++) await client.reply();
        client.send(`Subject: ${c}/${m}\r\n\r\nmessage ${m} of client ${c}\r\n.\r\n`);
        assert.match((await client.reply()).text, /^250 2\.0\.0 Ok: queued/u);
      }
      await client.command('QUIT');
    });
    await Promise.all(clients);
    const jobs = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
    assert.equal(jobs.length, 250);
    assert.equal(new Set(jobs.map((j) => j.blobKey)).size, 250);
    assert.equal(new Set(jobs.map((j) => j.messageId)).size, 250);
  } finally {
    await fixture.close();
  }
});
