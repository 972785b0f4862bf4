// Cases of the two hosts of the delivery use case: the local worker loop (concurrency, change feed,
// retry with backoff, dead-letter, redelivery after a crash) and the Lambda handler's partial batches.
import { eventuallyTrue } from '../../../../support/eventually.js';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { DeliveryWorker } from '../../../../../core/delivery/worker.js';
import { silentLogger } from '../../../../../core/log/logger.js';
import type { InboundDeliveryJob } from '../../../../../core/mail/jobs.js';
import { StorageError, type QueuedJob, type Storage, type User } from '../../../../../core/ports/index.js';
import { ensureDefaultMailboxes } from '../../../../../core/storage/default-mailboxes.js';
import { createDeliveryHandler } from '../../../../../lambdas/delivery/delivery-handler.js';
import { deliverInboundJob, type DeliveryDeps } from '../../../../../core/delivery/deliver-inbound-job.js';
import { mailboxContents, spoolMessage, textMessage, type DeliveryTestBed } from '../../../../support/delivery-fixtures.js';
import type { DeliverySuiteContext } from './suite-context.js';

export function hostCases(context: DeliverySuiteContext): void {
  describe('delivery hosts', () => {
    let storage: Storage;
    let bed: DeliveryTestBed;
    let erin: User;
    const subjects = async (name = 'INBOX') => (await mailboxContents(storage, erin.id, name)).map((m) => m.structure.envelope.subject);
    const spool = (subject: string) =>
      spoolMessage(storage, textMessage({ from: 'a@sender.test', to: 'erin@hosts.test', subject }), {
        mailFrom: 'a@sender.test',
        recipients: ['erin@hosts.test'],
      });
    const queueIsEmpty = async () => {
      const depth = await storage.inboundQueue.depth();
      return depth.ready + depth.inFlight + depth.delayed === 0;
    };
    const runWorker = async (deps: DeliveryDeps, until: () => Promise<boolean>) => {
      const worker = new DeliveryWorker({ queue: storage.inboundQueue, deps, logger: silentLogger, concurrency: 2, waitSeconds: 1 });
      worker.start();
      try {
        await eventuallyTrue(until, 'the queue to drain');
      } finally {
        await worker.stop();
      }
    };

    before(async () => {
      ({ storage, bed } = context);
      await storage.directory.addDomain('hosts.test');
      erin = await storage.directory.addUser({ address: 'erin@hosts.test', passwordHash: 'unused' });
    });

    test('the worker delivers queued jobs concurrently, wakes IDLE watchers and leaves the queue empty', async () => {
      const inbox = (await ensureDefaultMailboxes(storage.mailIndex, erin.id)).find((m) => m.name === 'INBOX')!;
      const woken: number[] = [];
      const unwatch = storage.changes.watch(inbox.id, (change) => woken.push(change.highestModseq));
      for (const subject of ['Queued 1', 'Queued 2', 'Queued 3']) await storage.inboundQueue.send(await spool(subject));
      await runWorker(
        bed.deps,
        async () => (await subjects()).filter((s) => s?.startsWith('Queued')).length === 3 && (await queueIsEmpty()),
      );
      await eventuallyTrue(async () => woken.length > 0, 'a change-feed wake-up');
      unwatch();
      assert.deepEqual((await subjects()).filter((s) => s?.startsWith('Queued')).sort(), ['Queued 1', 'Queued 2', 'Queued 3']);
    });

    test('stop() lets an in-flight delivery finish and settle before it resolves', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let scoring = false;
      const slowScorer = {
        async score(input: Parameters<typeof bed.deps.spamScorer.score>[0]) {
          scoring = true;
          await released;
          return bed.deps.spamScorer.score(input);
        },
      };
      await storage.inboundQueue.send(await spool('In flight at stop'));
      const worker = new DeliveryWorker({
        queue: storage.inboundQueue,
        deps: { ...bed.deps, spamScorer: slowScorer },
        logger: silentLogger,
        waitSeconds: 1,
      });
      worker.start();
      await eventuallyTrue(async () => scoring, 'a delivery in progress');
      let stopped = false;
      const stopping = worker.stop().then(() => (stopped = true));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(stopped, false, 'stop waits for the delivery in flight');
      release();
      await stopping;
      assert.ok((await subjects()).includes('In flight at stop'));
      assert.ok(await queueIsEmpty(), 'and the job was acked');
    });

    test('a transient storage failure is retried with backoff and files the message once', async () => {
      let failuresLeft = 1;
      const index = bed.deps.storage.mailIndex;
      // The decorated index is a plain object of functions, so spreading it keeps every method.
      const flakyIndex: typeof index = {
        ...index,
        appendMessage: async (...args) => {
          if (failuresLeft-- > 0) throw new StorageError('unavailable', 'throttled');
          return index.appendMessage(...args);
        },
      };
      const deps = { ...bed.deps, storage: { ...bed.deps.storage, mailIndex: flakyIndex }, backoff: { baseSeconds: 1, maxSeconds: 1 } };
      await storage.inboundQueue.send(await spool('Flaky storage'));
      await runWorker(deps, async () => (await subjects()).includes('Flaky storage') && (await queueIsEmpty()));
      assert.equal(failuresLeft, -1, 'the first attempt failed, the second filed it');
      assert.equal((await subjects()).filter((s) => s === 'Flaky storage').length, 1);
    });

    test('a job redelivered after a crash before its ack is not filed twice', async () => {
      await storage.inboundQueue.send(await spool('Crashed worker'));
      const [job] = await storage.inboundQueue.receive({ maxJobs: 1, visibilityTimeoutSeconds: 1, waitSeconds: 5 });
      assert.ok(job);
      assert.equal((await deliverInboundJob(job.body, bed.deps, { attempt: job.attempt })).kind, 'delivered'); // …and the process dies before ack()
      await runWorker(bed.deps, queueIsEmpty); // the job reappears after its visibility timeout
      assert.equal((await subjects()).filter((s) => s === 'Crashed worker').length, 1);
    });

    test('a poison job ends in the dead-letter queue', async () => {
      await storage.inboundQueue.send({ kind: 'inbound', messageId: 'poison' } as unknown as InboundDeliveryJob);
      await runWorker(bed.deps, async () => (await storage.inboundQueue.depth()).deadLettered === 1);
      assert.ok(await queueIsEmpty());
    });

    test('the Lambda handler reports only the failed records of a batch (partial batch response)', async () => {
      const good = await spool('Lambda batch');
      const transient = await spool('Lambda transient');
      await storage.inboundQueue.send(good);
      await storage.inboundQueue.send({ kind: 'inbound' } as unknown as InboundDeliveryJob);
      await storage.inboundQueue.send(transient);
      const received: QueuedJob<InboundDeliveryJob>[] = [];
      await eventuallyTrue(async () => {
        received.push(...(await storage.inboundQueue.receive({ maxJobs: 10, visibilityTimeoutSeconds: 60 })));
        return received.length === 3;
      }, 'three jobs back on the queue');
      const blobs = bed.deps.storage.blobs;
      const deps = {
        ...bed.deps,
        storage: {
          ...bed.deps.storage,
          blobs: {
            ...blobs,
            put: blobs.put.bind(blobs),
            head: blobs.head.bind(blobs),
            delete: blobs.delete.bind(blobs),
            get: async (key: string, range?: { start: number; end: number }) => {
              if (key === transient.blobKey) throw new StorageError('unavailable', 'S3 503 SlowDown');
              return blobs.get(key, range);
            },
          },
        },
      };
      const handler = createDeliveryHandler({ deliveryDeps: deps, queue: storage.inboundQueue, logger: silentLogger });
      const event = {
        Records: received.map((job) => ({
          messageId: job.id,
          receiptHandle: job.receipt,
          body: JSON.stringify(job.body),
          attributes: { ApproximateReceiveCount: String(job.attempt) },
        })),
      };
      const response = await handler(event);
      const idOf = (messageId: string | undefined) => received.find((job) => job.body.messageId === messageId)?.id;
      assert.deepEqual(
        response.batchItemFailures.map((f) => f.itemIdentifier).sort(),
        [received.find((job) => job.body.messageId === undefined)!.id, idOf(transient.messageId)!].sort(),
      );
      assert.ok((await subjects()).includes('Lambda batch'));
      assert.ok(!(await subjects()).includes('Lambda transient'));
      // What the Lambda service does with a partial batch response: delete the records not reported.
      await storage.inboundQueue.ack(received.find((job) => job.id === idOf(good.messageId))!);
      const depth = await storage.inboundQueue.depth();
      assert.equal(depth.delayed + depth.ready + depth.inFlight, 2, 'the two failed records stay queued');
    });
  });
}
