// Cases of the delivery use case: authentication, filing, idempotency, malformed input.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { deliverInboundJob } from '../../../../../core/delivery/deliver-inbound-job.js';
import type { Storage, User } from '../../../../../core/ports/index.js';
import {
  dkimSigned,
  mailboxContents,
  publishDkimKey,
  readBlob,
  spoolMessage,
  textMessage,
  type DeliveryTestBed,
  type DkimTestKey,
} from '../../../../support/delivery-fixtures.js';
import type { DeliverySuiteContext } from './suite-context.js';

export function useCaseCases(context: DeliverySuiteContext): void {
  describe('the delivery use case', () => {
    let storage: Storage;
    let bed: DeliveryTestBed;
    let bob: User;
    let senderKey: DkimTestKey;

    before(async () => {
      ({ storage, bed } = context);
      await storage.directory.addDomain('example.test');
      bob = await storage.directory.addUser({ address: 'bob@example.test', passwordHash: 'unused' });
      senderKey = publishDkimKey(bed.dns, 'sender.test');
      bed.dns.setTxt('_dmarc.sender.test', 'v=DMARC1; p=none');
    });

    test('a DKIM-signed message is filed in INBOX with Authentication-Results, offsets of the final blob, and the spool removed', async () => {
      const message = await dkimSigned(
        textMessage({ from: 'Alice <alice@sender.test>', to: 'bob@example.test', subject: 'Signed hello', body: 'Signed body line.\r\n' }),
        senderKey,
      );
      const job = await spoolMessage(storage, message, {
        mailFrom: 'alice@sender.test',
        recipients: ['bob@example.test'],
        spf: { result: 'pass', domain: 'sender.test' },
      });
      const outcome = await deliverInboundJob(job, bed.deps);
      assert.equal(outcome.kind, 'delivered');
      const [stored] = (await mailboxContents(storage, bob.id, 'INBOX')).filter((m) => m.structure.envelope.subject === 'Signed hello');
      assert.ok(stored, 'filed in INBOX');
      const blob = await readBlob(storage, stored.blobKey);
      assert.match(blob, /^Authentication-Results: mx\.example\.test;\r\n dkim=pass header\.i=@sender\.test/);
      assert.match(blob, /spf=pass smtp\.mailfrom=alice@sender\.test/);
      assert.match(blob, /dmarc=pass/);
      assert.match(blob, /X-Spam-Status: No/);
      assert.ok(blob.endsWith(message), 'the original bytes follow our fields unchanged');
      assert.equal(stored.sizeBytes, Buffer.byteLength(blob));
      const { root } = stored.structure;
      assert.equal(await readBlob(storage, stored.blobKey, { start: root.bodyStart, end: root.bodyEnd }), 'Signed body line.\r\n');
      assert.equal(await storage.blobs.head(job.blobKey), null, 'the spooled copy is deleted once every recipient is done');
    });

    test('a tampered copy fails DKIM: filed as spam under p=none, not delivered under p=reject', async () => {
      const signed = await dkimSigned(
        textMessage({ from: 'alice@sender.test', to: 'bob@example.test', subject: 'Tampered', body: 'Pay 10 EUR.\r\n' }),
        senderKey,
      );
      const tampered = signed.replace('Pay 10 EUR.', 'Pay 9000 EUR.');
      const job = await spoolMessage(storage, tampered, {
        mailFrom: 'alice@sender.test',
        recipients: ['bob@example.test'],
        spf: { result: 'fail', domain: 'sender.test' },
      });
      assert.equal((await deliverInboundJob(job, bed.deps)).kind, 'delivered');
      // SPF fail + broken signature + DMARC fail add up to spam: filed in \Junk with the reasons stated.
      assert.equal((await mailboxContents(storage, bob.id, 'INBOX')).filter((m) => m.structure.envelope.subject === 'Tampered').length, 0);
      const junk = (await storage.mailIndex.listMailboxes(bob.id)).find((mailbox) => mailbox.specialUse === '\\Junk');
      assert.ok(junk, 'a \\Junk mailbox exists');
      const [stored] = (await mailboxContents(storage, bob.id, junk.name)).filter((m) => m.structure.envelope.subject === 'Tampered');
      assert.ok(stored, 'filed in Junk');
      const blob = await readBlob(storage, stored.blobKey);
      assert.match(blob, /dkim=(fail|neutral) \(body hash did not verify\) header\.i=@sender\.test/);
      assert.match(blob, /X-Spam-Status: Yes, score=7\.0 required=5\.0\r\n tests=SPF_FAIL,DKIM_INVALID,DMARC_FAIL\r\n/);

      const strictKey = publishDkimKey(bed.dns, 'strict.test');
      bed.dns.setTxt('_dmarc.strict.test', 'v=DMARC1; p=reject');
      const strictSigned = await dkimSigned(
        textMessage({ from: 'ceo@strict.test', to: 'bob@example.test', subject: 'Wire transfer', body: 'Original.\r\n' }),
        strictKey,
      );
      const forged = await spoolMessage(storage, strictSigned.replace('Original.', 'Forged.'), {
        mailFrom: 'ceo@strict.test',
        recipients: ['bob@example.test'],
        spf: { result: 'fail', domain: 'strict.test' },
      });
      const outcome = await deliverInboundJob(forged, bed.deps);
      assert.equal(outcome.kind, 'delivered');
      assert.deepEqual(outcome.kind === 'delivered' && outcome.dispositions.map((d) => d.result), ['rejected']);
      assert.equal(
        (await mailboxContents(storage, bob.id, 'INBOX')).filter((m) => m.structure.envelope.subject === 'Wire transfer').length,
        0,
        'DMARC p=reject honoured',
      );
      assert.equal(
        (await storage.inboundQueue.depth()).ready + (await storage.outboundQueue.depth()).ready,
        0,
        'no bounce to the forged sender',
      );

      const intact = await spoolMessage(storage, strictSigned, {
        mailFrom: 'ceo@strict.test',
        recipients: ['bob@example.test'],
        spf: { result: 'fail', domain: 'strict.test' },
      });
      const intactOutcome = await deliverInboundJob(intact, bed.deps);
      assert.equal(
        (await mailboxContents(storage, bob.id, 'INBOX')).filter((m) => m.structure.envelope.subject === 'Wire transfer').length,
        1,
        `the untampered copy passes DMARC via DKIM: ${JSON.stringify(intactOutcome)}`,
      );
    });

    test('the same job delivered twice at once leaves one copy', async () => {
      const job = await spoolMessage(
        storage,
        textMessage({ from: 'alice@sender.test', to: 'bob@example.test', subject: 'Twice at once' }),
        { mailFrom: 'alice@sender.test', recipients: ['bob@example.test'] },
      );
      const outcomes = await Promise.all([deliverInboundJob(job, bed.deps), deliverInboundJob(job, bed.deps)]);
      assert.ok(outcomes.some((o) => o.kind === 'delivered'));
      assert.equal(
        (await mailboxContents(storage, bob.id, 'INBOX')).filter((m) => m.structure.envelope.subject === 'Twice at once').length,
        1,
      );
    });

    test('a crash after the append but before the ack still ends with one copy', async () => {
      const job = await spoolMessage(
        storage,
        textMessage({ from: 'alice@sender.test', to: 'bob@example.test', subject: 'Crash after append' }),
        { mailFrom: 'alice@sender.test', recipients: ['bob@example.test'] },
      );
      // The process dies after the index commit: the spool delete (and so the ack) never happens.
      const blobs = storage.blobs;
      const crashingBlobs: Storage['blobs'] = {
        put: (source, options) => blobs.put(source, options),
        get: (key, range) => blobs.get(key, range),
        head: (key) => blobs.head(key),
        delete: async () => {
          throw new Error('process killed');
        },
      };
      const crashed = await deliverInboundJob(job, { ...bed.deps, storage: { ...bed.deps.storage, blobs: crashingBlobs } });
      assert.equal(crashed.kind, 'retry');
      const again = await deliverInboundJob(job, bed.deps, { attempt: 2 });
      assert.equal(again.kind, 'delivered');
      assert.equal(again.kind === 'delivered' && again.dispositions[0]?.result === 'filed' && again.dispositions[0].duplicate, true);
      assert.equal(
        (await mailboxContents(storage, bob.id, 'INBOX')).filter((m) => m.structure.envelope.subject === 'Crash after append').length,
        1,
      );
      const third = await deliverInboundJob(job, bed.deps, { attempt: 3 });
      assert.deepEqual(third, { kind: 'delivered', dispositions: [] }, 'after the spool is gone a redelivery is a no-op');
    });

    test('malformed MIME is still delivered, byte for byte', async () => {
      const broken =
        'From: alice@sender.test\r\nSubject: Broken MIME\r\nContent-Type: multipart/mixed; boundary="never-used"\r\n\r\n\x00\xff garbage without any boundary\r\n--wrong\r\n';
      const job = await spoolMessage(storage, Buffer.from(broken, 'latin1'), {
        mailFrom: 'alice@sender.test',
        recipients: ['bob@example.test'],
      });
      assert.equal((await deliverInboundJob(job, bed.deps)).kind, 'delivered');
      const [stored] = (await mailboxContents(storage, bob.id, 'INBOX')).filter((m) => m.structure.envelope.subject === 'Broken MIME');
      assert.ok(stored, 'filed although it is not valid MIME');
      const chunks: Buffer[] = [];
      for await (const chunk of await storage.blobs.get(stored.blobKey)) chunks.push(Buffer.from(chunk as Uint8Array));
      assert.ok(Buffer.concat(chunks).subarray(-Buffer.byteLength(broken, 'latin1')).equals(Buffer.from(broken, 'latin1')));
    });

    test('an unparseable job is dead, not retried forever', async () => {
      assert.deepEqual(await deliverInboundJob({ kind: 'inbound', messageId: 7 }, bed.deps), {
        kind: 'dead',
        reason: 'not an inbound delivery job',
      });
    });
  });
}
