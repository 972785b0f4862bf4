// JobQueue contract: at-least-once delivery with SQS semantics on every adapter set: visibility
// timeout redelivery, retry with delay, send delay, dead-letter after CONTRACT_QUEUE_MAX_ATTEMPTS
// receives, depth, and long polling. Each case opens a fresh backend so queues start empty.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InboundDeliveryJob } from '../../core/mail/jobs.js';
import { type QueueDepth, isStorageError } from '../../core/ports/index.js';
import { CONTRACT_QUEUE_MAX_ATTEMPTS, type OpenedAdapterSet, adapterSets, openPeer } from './adapter-sets.js';

function inboundJob(messageId: string): InboundDeliveryJob {
  return {
    kind: 'inbound',
    messageId,
    blobKey: `spool/${messageId}`,
    sizeBytes: 1234,
    envelope: { mailFrom: 'sender@remote.example', recipients: [{ address: 'alice@example.test', notify: ['FAILURE'] }] },
    client: { ip: '192.0.2.7', helo: 'mx.remote.example', tls: true },
    receivedAt: '2026-11-30T10:00:00.000Z',
  };
}

/** Receives with a bounded long poll until a job arrives or `withinSeconds` pass. */
async function receiveOne(opened: OpenedAdapterSet, visibilityTimeoutSeconds: number, withinSeconds: number) {
  const deadline = Date.now() + withinSeconds * 1000;
  while (Date.now() < deadline) {
    const jobs = await opened.storage.inboundQueue.receive({ maxJobs: 1, visibilityTimeoutSeconds, waitSeconds: 1 });
    if (jobs.length > 0) return jobs[0]!;
  }
  return null;
}

for (const set of adapterSets) {
  describe(`JobQueue contract [${set.name}]`, () => {
    async function withBackend(run: (opened: OpenedAdapterSet) => Promise<void>): Promise<void> {
      const opened = await set.open();
      try {
        await run(opened);
      } finally {
        await opened.cleanup();
      }
    }

    test('a sent job is received once with its body, then gone after ack', () =>
      withBackend(async (opened) => {
        const queue = opened.storage.inboundQueue;
        const job = inboundJob('m-1');
        const id = await queue.send(job);
        const [received, ...more] = await queue.receive({ maxJobs: 10, visibilityTimeoutSeconds: 30 });
        assert.deepEqual(more, []);
        assert.equal(received?.id, id);
        assert.deepEqual(received?.body, job);
        assert.equal(received?.attempt, 1);
        assert.ok(received!.enqueuedAt.getTime() > Date.now() - 60_000);
        assert.deepEqual(await queue.receive({ maxJobs: 10, visibilityTimeoutSeconds: 30 }), [], 'hidden while in flight');
        assert.equal((await queue.depth()).inFlight, 1);
        await queue.ack(received!);
        assert.deepEqual(await queue.depth(), { ready: 0, inFlight: 0, delayed: 0, deadLettered: 0 });
      }));

    test('the inbound and outbound queues are separate', () =>
      withBackend(async (opened) => {
        await opened.storage.inboundQueue.send(inboundJob('only-inbound'));
        assert.deepEqual(await opened.storage.outboundQueue.receive({ maxJobs: 10, visibilityTimeoutSeconds: 5 }), []);
        assert.equal((await opened.storage.inboundQueue.depth()).ready, 1);
      }));

    test('an un-acked job is delivered again after its visibility timeout', { timeout: 30_000 }, () =>
      withBackend(async (opened) => {
        await opened.storage.inboundQueue.send(inboundJob('m-lost-worker'));
        const first = await receiveOne(opened, 1, 5);
        assert.equal(first?.attempt, 1);
        const again = await receiveOne(opened, 1, 10);
        assert.ok(again, 'redelivered');
        assert.equal(again.id, first!.id);
        assert.equal(again.attempt, 2);
        assert.deepEqual(again.body, first!.body);
        await opened.storage.inboundQueue.ack(again);
        assert.equal((await opened.storage.inboundQueue.depth()).ready + (await opened.storage.inboundQueue.depth()).inFlight, 0);
      }),
    );

    test(`a job received ${CONTRACT_QUEUE_MAX_ATTEMPTS} times without ack is dead-lettered`, { timeout: 60_000 }, () =>
      withBackend(async (opened) => {
        const queue = opened.storage.inboundQueue;
        await queue.send(inboundJob('m-poison'));
        for (let attempt = 1; attempt <= CONTRACT_QUEUE_MAX_ATTEMPTS; attempt++) {
          const job = await receiveOne(opened, 30, 10);
          assert.equal(job?.attempt, attempt);
          await queue.retry(job!, 0);
        }
        assert.equal(await receiveOne(opened, 30, 2), null, 'not delivered again');
        const depth = await waitForDepth(opened, (d) => d.deadLettered === 1);
        assert.deepEqual(depth, { ready: 0, inFlight: 0, delayed: 0, deadLettered: 1 });
      }),
    );

    test('retry with a delay hides the job until then', { timeout: 30_000 }, () =>
      withBackend(async (opened) => {
        const queue = opened.storage.inboundQueue;
        await queue.send(inboundJob('m-transient'));
        const job = await receiveOne(opened, 30, 5);
        await queue.retry(job!, 2);
        assert.deepEqual(await queue.receive({ maxJobs: 1, visibilityTimeoutSeconds: 30 }), []);
        const started = Date.now();
        const again = await receiveOne(opened, 30, 10);
        assert.equal(again?.attempt, 2);
        assert.ok(Date.now() - started >= 1_000, 'not before its delay');
        await queue.ack(again!);
      }),
    );

    test('a job sent with a delay is counted as delayed and delivered after it', { timeout: 30_000 }, () =>
      withBackend(async (opened) => {
        const queue = opened.storage.inboundQueue;
        await queue.send(inboundJob('m-later'), { delaySeconds: 2 });
        assert.deepEqual(await queue.receive({ maxJobs: 1, visibilityTimeoutSeconds: 30 }), []);
        assert.equal((await queue.depth()).delayed, 1);
        const job = await receiveOne(opened, 30, 10);
        assert.equal(job?.body.messageId, 'm-later');
        await queue.ack(job!);
      }),
    );

    test('receive returns at most maxJobs, and every job exactly once across receives', () =>
      withBackend(async (opened) => {
        const queue = opened.storage.inboundQueue;
        const sent = await Promise.all(Array.from({ length: 12 }, (_, i) => queue.send(inboundJob(`bulk-${i}`))));
        assert.equal(new Set(sent).size, 12);
        const seen: string[] = [];
        for (let round = 0; round < 10 && seen.length < 12; round++) {
          const jobs = await queue.receive({ maxJobs: 5, visibilityTimeoutSeconds: 30, waitSeconds: 1 });
          assert.ok(jobs.length <= 5);
          for (const job of jobs) {
            seen.push(job.body.messageId);
            await queue.ack(job);
          }
        }
        assert.deepEqual([...seen].sort(), Array.from({ length: 12 }, (_, i) => `bulk-${i}`).sort());
      }));

    test('two clients receiving from one queue at once never both get a job within its visibility timeout', { timeout: 60_000 }, () =>
      withBackend(async (opened) => {
        const peer = await openPeer(opened.peerRecipe);
        try {
          const sent = Array.from({ length: 30 }, (_, i) => `shared-${i}`);
          await Promise.all(sent.map((messageId) => opened.storage.inboundQueue.send(inboundJob(messageId))));
          const received: string[] = [];
          const consume = async (queue: typeof opened.storage.inboundQueue) => {
            for (let idle = 0; idle < 3 && received.length < sent.length;) {
              const jobs = await queue.receive({ maxJobs: 4, visibilityTimeoutSeconds: 60, waitSeconds: 1 });
              idle = jobs.length === 0 ? idle + 1 : 0;
              for (const job of jobs) {
                received.push(job.body.messageId);
                await queue.ack(job);
              }
            }
          };
          await Promise.all([consume(opened.storage.inboundQueue), consume(peer.inboundQueue)]);
          assert.deepEqual([...received].sort(), [...sent].sort());
        } finally {
          await peer.close();
        }
      }),
    );

    test('a long poll returns as soon as a job is sent', { timeout: 30_000 }, () =>
      withBackend(async (opened) => {
        const queue = opened.storage.inboundQueue;
        const started = Date.now();
        const polling = queue.receive({ maxJobs: 1, visibilityTimeoutSeconds: 30, waitSeconds: 10 });
        setTimeout(() => void queue.send(inboundJob('m-wake')), 300);
        const [job] = await polling;
        assert.equal(job?.body.messageId, 'm-wake');
        assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started} ms`);
      }),
    );

    test('a send delay beyond the SQS limit of 900 s is refused', () =>
      withBackend(async (opened) => {
        await assert.rejects(opened.storage.inboundQueue.send(inboundJob('m'), { delaySeconds: 901 }), (error) =>
          isStorageError(error, 'invalid'),
        );
      }));
  });
}

/** Depth counters of some backends (SQS) are approximate and lag: poll briefly until they settle. */
async function waitForDepth(opened: OpenedAdapterSet, settled: (depth: QueueDepth) => boolean) {
  const deadline = Date.now() + 10_000;
  let depth = await opened.storage.inboundQueue.depth();
  while (!settled(depth) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    depth = await opened.storage.inboundQueue.depth();
  }
  return depth;
}
