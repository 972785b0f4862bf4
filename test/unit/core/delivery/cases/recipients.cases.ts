// Cases of the per-recipient paths of delivery: aliases, catch-all,
// forwarding with SRS, filter rules, quota overflow (DSN only to an authenticated sender).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { deliverInboundJob } from '../../../../../core/delivery/deliver-inbound-job.js';
import { srsReverse } from '../../../../../core/delivery/sender-rewriting.js';
import type { Storage, User } from '../../../../../core/ports/index.js';
import { mailboxContents, readBlob, spoolMessage, textMessage, type DeliveryTestBed } from '../../../../support/delivery-fixtures.js';
import type { DeliverySuiteContext } from './suite-context.js';

async function drain<T>(queue: Storage['inboundQueue'] | Storage['outboundQueue']): Promise<T[]> {
  const jobs = await queue.receive({ maxJobs: 10, visibilityTimeoutSeconds: 30 });
  for (const job of jobs) await queue.ack(job as never);
  return jobs.map((job) => job.body as T);
}

export function recipientCases(context: DeliverySuiteContext): void {
  describe('per-recipient paths', () => {
    let storage: Storage;
    let bed: DeliveryTestBed;
    let alice: User;
    let bob: User;
    let carol: User;

    before(async () => {
      ({ storage, bed } = context);
      await storage.directory.addDomain('recipients.test');
      alice = await storage.directory.addUser({ address: 'alice@recipients.test', passwordHash: 'unused' });
      bob = await storage.directory.addUser({ address: 'bob@recipients.test', passwordHash: 'unused' });
      carol = await storage.directory.addUser({ address: 'carol@recipients.test', passwordHash: 'unused', quotaBytes: 2_000 });
    });

    test('an alias fans out to local users and forwards to a remote one with an SRS sender; the catch-all takes unknown names', async () => {
      await storage.directory.putAlias({
        source: 'team@recipients.test',
        targets: ['bob@recipients.test', 'alice@recipients.test', 'dave@remote.test'],
      });
      await storage.directory.putAlias({ source: '@recipients.test', targets: ['bob@recipients.test'] });
      const job = await spoolMessage(storage, textMessage({ from: 'zed@sender.test', to: 'team@recipients.test', subject: 'Team news' }), {
        mailFrom: 'zed@sender.test',
        recipients: ['team@recipients.test', 'nobody-here@recipients.test'],
      });
      const outcome = await deliverInboundJob(job, bed.deps);
      assert.equal(outcome.kind, 'delivered');
      const byName = async (user: User) =>
        (await mailboxContents(storage, user.id, 'INBOX')).filter((m) => m.structure.envelope.subject === 'Team news').length;
      assert.equal(await byName(bob), 1, 'bob is reached by the alias and the catch-all but gets one copy');
      assert.equal(await byName(alice), 1);
      const [forward] = await drain<{
        envelope: { mailFrom: string; recipients: { address: string }[] };
        blobKey: string;
        messageId: string;
      }>(storage.outboundQueue);
      assert.ok(forward, 'an outbound job for the remote target');
      assert.deepEqual(
        forward.envelope.recipients.map((r) => r.address),
        ['dave@remote.test'],
      );
      assert.match(forward.envelope.mailFrom, /^SRS0=[^=]{4}=[A-Z2-7]{2}=sender\.test=zed@recipients\.test$/);
      assert.equal(
        srsReverse(forward.envelope.mailFrom, { secret: bed.deps.srsSecret }),
        'zed@sender.test',
        'bounces to the SRS address find the sender',
      );
      assert.match(await readBlob(storage, forward.blobKey), /^Authentication-Results: mx\.example\.test;[\s\S]*Subject: Team news/);
      await storage.directory.removeAlias('@recipients.test');
    });

    test('sub-addresses reach their user, moved users are followed, and an alias loop ends', async () => {
      const dana = await storage.directory.addUser({ address: 'dana@recipients.test', passwordHash: 'unused' });
      await storage.directory.addUser({ address: 'old-dana@recipients.test', passwordHash: 'unused' });
      await storage.directory.updateUser('old-dana@recipients.test', { status: 'moved', movedTo: 'dana@recipients.test' });
      await storage.directory.putAlias({ source: 'loop-a@recipients.test', targets: ['loop-b@recipients.test'] });
      await storage.directory.putAlias({ source: 'loop-b@recipients.test', targets: ['loop-a@recipients.test', 'dana@recipients.test'] });
      const job = await spoolMessage(storage, textMessage({ from: 'z@sender.test', to: 'dana+news@recipients.test', subject: 'Paths' }), {
        mailFrom: 'z@sender.test',
        recipients: ['dana+news@recipients.test', 'old-dana@recipients.test', 'loop-a@recipients.test'],
      });
      const outcome = await deliverInboundJob(job, bed.deps);
      assert.deepEqual(
        outcome.kind === 'delivered' && outcome.dispositions.map((d) => d.result),
        ['filed'],
        'three routes to dana, one copy',
      );
      assert.equal((await mailboxContents(storage, dana.id, 'INBOX')).filter((m) => m.structure.envelope.subject === 'Paths').length, 1);
    });

    test('a filter rule files matching mail into its folder; a rule to a missing folder falls back to INBOX', async () => {
      await storage.mailIndex.createMailbox(alice.id, 'Lists/Announce');
      await storage.directory.setFilterRules(alice.id, [
        { header: 'list-id', contains: 'announce.example.org', mailbox: 'Lists/Announce' },
        { header: 'subject', contains: 'gone', mailbox: 'Deleted Folder' },
      ]);
      const listMail = await spoolMessage(
        storage,
        textMessage({
          from: 'list@example.org',
          to: 'alice@recipients.test',
          subject: 'Release 2.0',
          extraHeaders: 'List-Id: Announcements <announce.example.org>\r\n',
        }),
        { mailFrom: 'list@example.org', recipients: ['alice@recipients.test'] },
      );
      const orphanRule = await spoolMessage(
        storage,
        textMessage({ from: 'x@example.org', to: 'alice@recipients.test', subject: 'Folder is gone' }),
        { mailFrom: 'x@example.org', recipients: ['alice@recipients.test'] },
      );
      await deliverInboundJob(listMail, bed.deps);
      await deliverInboundJob(orphanRule, bed.deps);
      assert.deepEqual(
        (await mailboxContents(storage, alice.id, 'Lists/Announce')).map((m) => m.structure.envelope.subject),
        ['Release 2.0'],
      );
      assert.ok((await mailboxContents(storage, alice.id, 'INBOX')).some((m) => m.structure.envelope.subject === 'Folder is gone'));
      await storage.directory.setFilterRules(alice.id, []);
    });

    test('over quota: an anonymous sender’s mail is still filed (no backscatter); an authenticated sender gets a 552 5.2.2 DSN', async () => {
      const big = 'x'.repeat(70) + '\r\n';
      const fill = await spoolMessage(
        storage,
        textMessage({ from: 'a@sender.test', to: 'carol@recipients.test', subject: 'Fills the quota', body: big.repeat(40) }),
        { mailFrom: 'a@sender.test', recipients: ['carol@recipients.test'] },
      );
      await deliverInboundJob(fill, bed.deps);
      const anonymous = await spoolMessage(
        storage,
        textMessage({ from: 'b@sender.test', to: 'carol@recipients.test', subject: 'Anonymous over quota' }),
        { mailFrom: 'b@sender.test', recipients: ['carol@recipients.test'] },
      );
      const anonymousOutcome = await deliverInboundJob(anonymous, bed.deps);
      assert.equal(anonymousOutcome.kind === 'delivered' && anonymousOutcome.dispositions[0]?.result, 'filed');
      assert.deepEqual(await drain(storage.inboundQueue), [], 'no DSN to a possibly forged sender');

      const fromAlice = await spoolMessage(
        storage,
        textMessage({ from: 'alice@recipients.test', to: 'carol@recipients.test', subject: 'Authenticated over quota' }),
        {
          mailFrom: 'alice@recipients.test',
          recipients: [{ address: 'carol@recipients.test', orcpt: 'rfc822;Carol@recipients.test' }],
          client: { authenticatedAs: 'alice@recipients.test', ip: '127.0.0.1' },
        },
      );
      const outcome = await deliverInboundJob(fromAlice, bed.deps);
      assert.deepEqual(outcome.kind === 'delivered' && outcome.dispositions.map((d) => (d.result === 'failed' ? d.status : d.result)), [
        '5.2.2',
      ]);
      assert.equal(
        (await mailboxContents(storage, carol.id, 'INBOX')).filter((m) => m.structure.envelope.subject === 'Authenticated over quota')
          .length,
        0,
      );
      const dsnJobs = await drain<Parameters<typeof deliverInboundJob>[0]>(storage.inboundQueue);
      assert.equal(dsnJobs.length, 1, 'the DSN goes into local delivery: the sender is hosted here');
      assert.equal((await deliverInboundJob(dsnJobs[0], bed.deps)).kind, 'delivered');
      const [dsn] = (await mailboxContents(storage, alice.id, 'INBOX')).filter((m) => m.structure.root.subtype === 'report');
      assert.ok(dsn, 'alice receives a multipart/report');
      const raw = await readBlob(storage, dsn.blobKey);
      assert.match(
        raw,
        /Final-Recipient: rfc822;carol@recipients\.test\r\nAction: failed\r\nStatus: 5\.2\.2\r\nDiagnostic-Code: smtp;552 5\.2\.2 Mailbox full/,
      );
      assert.match(raw, /Original-Recipient: rfc822;Carol@recipients\.test/);
      assert.match(raw, /Subject: Authenticated over quota/, 'the original is returned');
    });

    test('an unknown recipient with no catch-all: a DSN to an authenticated sender, nothing to an anonymous one', async () => {
      const anonymous = await spoolMessage(
        storage,
        textMessage({ from: 'a@sender.test', to: 'ghost@recipients.test', subject: 'To a ghost' }),
        { mailFrom: 'a@sender.test', recipients: ['ghost@recipients.test'] },
      );
      const outcome = await deliverInboundJob(anonymous, bed.deps);
      assert.deepEqual(outcome.kind === 'delivered' && outcome.dispositions.map((d) => (d.result === 'failed' ? d.status : d.result)), [
        '5.1.1',
      ]);
      assert.deepEqual([...(await drain(storage.inboundQueue)), ...(await drain(storage.outboundQueue))], []);
      assert.equal(await storage.blobs.head(anonymous.blobKey), null, 'the spool is cleaned up anyway');

      const remoteSender = await spoolMessage(
        storage,
        textMessage({ from: 'bob@recipients.test', to: 'ghost@recipients.test', subject: 'Ghost again' }),
        {
          mailFrom: 'bob@elsewhere.test',
          recipients: ['ghost@recipients.test'],
          client: { authenticatedAs: 'bob@recipients.test' },
          dsnReturn: 'HDRS',
        },
      );
      await deliverInboundJob(remoteSender, bed.deps);
      const [bounce] = await drain<{ envelope: { mailFrom: string; recipients: { address: string }[] }; blobKey: string }>(
        storage.outboundQueue,
      );
      assert.ok(bounce, 'a remote sender’s DSN goes out through the outbound queue');
      assert.equal(bounce.envelope.mailFrom, '', 'DSNs have the null sender (RFC 3461 §6.2)');
      assert.deepEqual(
        bounce.envelope.recipients.map((r) => r.address),
        ['bob@elsewhere.test'],
      );
      const raw = await readBlob(storage, bounce.blobKey);
      assert.match(raw, /Content-Type: text\/rfc822-headers/);
      assert.doesNotMatch(raw, /Hello there\./, 'RET=HDRS returns no body');
    });
  });
}
