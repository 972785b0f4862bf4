// End to end: a real SMTP client (nodemailer, DKIM-signing) → the SMTP service's MX port → spool +
// inbound queue → the local delivery worker → the mailbox index and the final blob → POP3 (poplib).
import { eventually } from '../../support/eventually.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { loadConfig } from '../../../core/config/index.js';
import { localDeliveryDeps } from '../../../core/delivery/local-delivery.js';
import { DeliveryWorker } from '../../../core/delivery/worker.js';
import { silentLogger } from '../../../core/log/logger.js';
import { mailboxContents, publishDkimKey, readBlob, StubDns, type DkimTestKey } from '../../support/delivery-fixtures.js';
import { StaticCertificateSource, TlsContextProvider } from '../../../core/tls/certificates.js';
import { withChangeNotifications } from '../../../core/storage/notifying-mail-index.js';
import { startPop3Service } from '../../../services/imap-fargate/pop3/server.js';
import { HOSTNAME, PASSWORD, startSmtpFixture, testCertificate, type SmtpFixture } from '../smtp/support/smtp-fixture.js';

let fixture: SmtpFixture;
let worker: DeliveryWorker;
let senderKey: DkimTestKey;
const dns = new StubDns();

before(async () => {
  senderKey = publishDkimKey(dns, 'sender.test', 'mail');
  dns.setTxt('sender.test', 'v=spf1 ip4:127.0.0.1 -all');
  dns.setTxt('_dmarc.sender.test', 'v=DMARC1; p=reject');
  fixture = await startSmtpFixture({ policy: { spf: { resolver: dns.resolver, rejectFail: false } } });
  const config = loadConfig({ YUBIN_DATA_DIR: fixture.dataDir, YUBIN_HOSTNAME: HOSTNAME });
  const deps = { ...(await localDeliveryDeps(fixture.storage, config, silentLogger)), dnsResolver: dns.resolver };
  worker = new DeliveryWorker({ queue: fixture.storage.inboundQueue, deps, logger: silentLogger, concurrency: 2, waitSeconds: 1 });
  worker.start();
});
after(async () => {
  await worker.stop();
  await fixture.close();
});

test('mail accepted on the MX port lands in the mailboxes, authenticated and with its structure', async () => {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: fixture.service.ports.smtp,
    secure: false,
    ignoreTLS: true,
    dkim: { domainName: 'sender.test', keySelector: 'mail', privateKey: senderKey.privateKeyPem },
  });
  const info = await transport.sendMail({
    from: 'Sam Sender <sam@sender.test>',
    to: 'bob@example.test',
    cc: 'sales@example.test',
    subject: 'Quarterly report',
    text: 'Numbers attached.',
    attachments: [{ filename: 'report.csv', content: 'q,revenue\n1,100\n' }],
  });
  assert.deepEqual(info.rejected, []);
  transport.close();

  const bob = (await fixture.storage.directory.getUser('bob@example.test'))!;
  const alice = (await fixture.storage.directory.getUser('alice@example.test'))!;
  const inBobsInbox = await eventually(
    async () => (await mailboxContents(fixture.storage, bob.id, 'INBOX')).find((m) => m.structure.envelope.subject === 'Quarterly report'),
    "the report in bob's INBOX",
  );
  await eventually(
    async () =>
      (await mailboxContents(fixture.storage, alice.id, 'INBOX')).find((m) => m.structure.envelope.subject === 'Quarterly report'),
    "the report in alice's INBOX",
  );

  const blob = await readBlob(fixture.storage, inBobsInbox.blobKey);
  assert.match(blob, /^Authentication-Results: mx\.example\.test;\r\n dkim=pass header\.i=@sender\.test header\.s=mail/);
  assert.match(blob, /spf=pass smtp\.mailfrom=sam@sender\.test/);
  assert.match(blob, /dmarc=pass/);
  assert.match(blob, /\r\nReceived: from /, 'the SMTP service’s trace field follows ours');
  const { root } = inBobsInbox.structure;
  assert.equal(`${root.type}/${root.subtype}`, 'multipart/mixed');
  const attachment = root.children?.find((part) => part.disposition?.type === 'attachment');
  assert.ok(attachment, 'the attachment is a part of the stored structure');
  const encoded = await readBlob(fixture.storage, inBobsInbox.blobKey, { start: attachment.bodyStart, end: attachment.bodyEnd });
  assert.equal(Buffer.from(encoded, 'base64').toString(), 'q,revenue\n1,100\n', 'BODY[2] is a ranged read of the final blob');
  assert.equal((await fixture.storage.inboundQueue.depth()).ready, 0);
});

const POPLIB_RETR = `
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL('127.0.0.1', int(sys.argv[1]), context=ctx, timeout=20)
p.user('bob@example.test'); p.pass_(sys.argv[2])
count, _ = p.stat()
sys.stdout.write(b'\\n'.join(p.retr(count)[1]).decode('utf-8', 'replace'))
p.quit()
`;

// Follows the test above: bob's newest message is the one it delivered.
test('the delivered message is what a POP3 client downloads (Python poplib over TLS)', async () => {
  const tls = new TlsContextProvider(new StaticCertificateSource(await testCertificate()));
  await tls.refresh();
  const { storage } = fixture;
  const pop3 = await startPop3Service({
    storage: { ...storage, mailIndex: withChangeNotifications(storage.mailIndex, storage.changes, silentLogger) },
    config: { hostname: HOSTNAME, listenHost: '127.0.0.1', ports: { pop3: 0, pop3s: 0 } },
    logger: silentLogger,
    tls,
  });
  try {
    const { stdout } = await promisify(execFile)('python3', ['-c', POPLIB_RETR, String(pop3.ports.pop3s), PASSWORD], { timeout: 30_000 });
    assert.match(stdout, /^Authentication-Results: mx\.example\.test;\n dkim=pass/);
    assert.match(stdout, /\nSubject: Quarterly report\n/);
    assert.match(stdout, /filename=report\.csv/);
  } finally {
    await pop3.close();
  }
});
