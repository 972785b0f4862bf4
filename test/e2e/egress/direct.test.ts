// Direct egress end to end: outbound jobs → the egress worker → MX lookup on a loopback DNS server →
// a fake remote MX (smtp-server) on loopback. Covers DKIM, retries, DSNs and MTA-STS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dkimVerify } from 'mailauth';
import { createLogger } from '../../../core/log/logger.js';
import { startEgressWorker, type EgressWorker } from '../../../services/smtp-fargate/egress/worker.js';
import {
  egressConfig,
  eventually,
  mailboxTexts,
  openEgressBed,
  startFakeMx,
  startLoopbackDns,
  startMtaStsPolicyServer,
  submitOutbound,
  testMessage,
  type EgressBed,
  type FakeMx,
  type LoopbackDns,
  type MtaStsPolicyServer,
  type ZoneRecords,
} from './support/egress-fixture.js';

let bed: EgressBed;
let mx: FakeMx;
let dns: LoopbackDns;
let policyServer: MtaStsPolicyServer;
let worker: EgressWorker;
const logLines: Record<string, unknown>[] = [];

const LOOPBACK = ['127.0.0.1'];
const viaRemoteMx: ZoneRecords = { mx: [{ priority: 10, exchange: 'mx.remote.test' }] };

before(async () => {
  bed = await openEgressBed();
  mx = await startFakeMx('mx.remote.test');
  const zone = new Map<string, ZoneRecords>([
    ['mx.remote.test', { a: LOOPBACK }],
    ['mx.sts.test', { a: LOOPBACK }],
    ['good.test', viaRemoteMx],
    ['retry.test', viaRemoteMx],
    ['reject.test', viaRemoteMx],
    ['mixed.test', viaRemoteMx],
    ['implicit.test', { a: LOOPBACK }],
    ['nullmx.test', { mx: [{ priority: 0, exchange: '' }] }],
    // MX named mx.sts.test, but the server's certificate is for mx.remote.test.
    ['sts.test', { mx: [{ priority: 10, exchange: 'mx.sts.test' }] }],
    ['_mta-sts.sts.test', { txt: ['v=STSv1; id=2026113001'] }],
    ['sts-ok.test', viaRemoteMx],
    ['_mta-sts.sts-ok.test', { txt: ['v=STSv1; id=2026113001'] }],
  ]);
  dns = await startLoopbackDns(zone);

  // The policy host of each domain (RFC 8461 §3.3), served over HTTPS on loopback.
  policyServer = await startMtaStsPolicyServer({
    'mta-sts.sts.test': 'version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n',
    'mta-sts.sts-ok.test': 'version: STSv1\r\nmode: enforce\r\nmx: mx.remote.test\r\nmax_age: 86400\r\n',
  });

  worker = startEgressWorker({
    storage: bed.storage,
    config: egressConfig({ mode: 'direct', dnsServers: [dns.server], remoteSmtpPort: mx.port }),
    hostname: 'mail.sender.test',
    logger: createLogger({ level: 'info', write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) }),
    // The fake MX's self-signed certificate is trusted, so only a name mismatch can fail TLS.
    transportDeps: { tlsOptions: { ca: mx.certificate.certPem }, mtaStsFetcher: policyServer.fetcher },
    concurrency: 4,
  });
});

after(async () => {
  await worker.stop();
  await mx.close();
  await dns.close();
  await policyServer.close();
  await bed.close();
});

function receivedBy(address: string) {
  return () => Promise.resolve(mx.received.find((message) => message.recipients.includes(address)));
}

function dsnAbout(address: string) {
  return async () =>
    (await mailboxTexts(bed.storage, bed.senderUserId, 'INBOX')).find((text) => text.includes(`Final-Recipient: rfc822;${address}`));
}

function attemptsLogged(messageId: string) {
  return logLines.filter((line) => line.msg === 'outbound attempt' && line.messageId === messageId);
}

test('delivers to the MX over STARTTLS with a DKIM signature that verifies', async () => {
  await submitOutbound(bed.storage, testMessage(['bob@good.test'], 'Hello Bob'), ['bob@good.test']);
  const received = await eventually(receivedBy('bob@good.test'), 'delivery to good.test');
  assert.equal(received.mailFrom, 'alice@sender.test');
  assert.equal(received.tls, true, 'opportunistic STARTTLS was used');
  const verification = await dkimVerify(Buffer.from(received.raw), {
    resolver: async (name: string, rrtype: string) => {
      if (rrtype === 'TXT' && name === 'mail._domainkey.sender.test') return [[bed.dkimRecord]];
      throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    },
  });
  assert.equal(verification.results[0]?.status.result, 'pass', JSON.stringify(verification.results[0]?.status));
  assert.equal(verification.results[0]?.signingDomain, 'sender.test');
});

test('A record fallback: a domain without MX gets mail at its own address', async () => {
  await submitOutbound(bed.storage, testMessage(['ann@implicit.test'], 'No MX'), ['ann@implicit.test']);
  await eventually(receivedBy('ann@implicit.test'), 'delivery to implicit.test');
});

test('a 4xx reply is retried later from the queue, then delivered', async () => {
  mx.rcptReplies.set('carol@retry.test', [{ code: 451, message: '4.2.0 Mailbox busy, try later' }]);
  const job = await submitOutbound(bed.storage, testMessage(['carol@retry.test'], 'Second time lucky'), ['carol@retry.test']);
  await eventually(receivedBy('carol@retry.test'), 'delivery after the retry');
  const attempts = attemptsLogged(job.messageId);
  assert.equal(attempts.length, 2);
  assert.equal(attempts[0]?.deferred, 1);
  assert.equal(attempts[1]?.delivered, 1);
  assert.equal(await dsnAbout('carol@retry.test')(), undefined, 'no DSN for a delivered message');
});

test('a 5xx reply bounces: a DSN in the sender INBOX quotes the remote reply and explains it', async () => {
  mx.rcptReplies.set('dave@reject.test', [{ code: 550, message: '5.1.1 No such user here' }]);
  await submitOutbound(bed.storage, testMessage(['dave@reject.test'], 'To nobody'), ['dave@reject.test']);
  const dsn = await eventually(dsnAbout('dave@reject.test'), 'the DSN');
  assert.match(dsn, /Content-Type: multipart\/report; report-type=delivery-status/);
  assert.match(dsn, /Action: failed/);
  assert.match(dsn, /Status: 5\.1\.1/);
  assert.match(dsn, /Diagnostic-Code: smtp;550 5\.1\.1 No such user here/);
  assert.match(dsn, /Unknown user: the receiving server says this mailbox does not exist/);
  assert.match(dsn, /Subject: To nobody/, 'the original header is returned');
  assert.equal(
    mx.received.some((message) => message.recipients.includes('dave@reject.test')),
    false,
  );
});

test('an unknown domain (NXDOMAIN) bounces with "host unknown"', async () => {
  await submitOutbound(bed.storage, testMessage(['erin@nxdomain.test'], 'Typo domain'), ['erin@nxdomain.test']);
  const dsn = await eventually(dsnAbout('erin@nxdomain.test'), 'the DSN');
  assert.match(dsn, /Status: 5\.4\.4/);
  assert.match(dsn, /Host unknown/);
});

test('a null MX (RFC 7505) fails at the first attempt', async () => {
  const job = await submitOutbound(bed.storage, testMessage(['frank@nullmx.test'], 'Null MX'), ['frank@nullmx.test']);
  const dsn = await eventually(dsnAbout('frank@nullmx.test'), 'the DSN');
  assert.match(dsn, /Status: 5\.1\.10/);
  assert.match(dsn, /accepts no email at all/);
  assert.equal(attemptsLogged(job.messageId).length, 1, 'no retries');
});

test('MTA-STS enforce: a certificate that does not match the MX name means deferred, not delivered', async () => {
  const refused = await submitOutbound(bed.storage, testMessage(['gina@sts.test'], 'STS mismatch'), ['gina@sts.test']);
  const allowed = await submitOutbound(bed.storage, testMessage(['hank@sts-ok.test'], 'STS match'), ['hank@sts-ok.test']);
  const received = await eventually(receivedBy('hank@sts-ok.test'), 'delivery under a matching policy');
  assert.equal(received.tls, true);
  await eventually(async () => (attemptsLogged(refused.messageId).length >= 2 ? true : undefined), 'two deferred attempts');
  for (const attempt of attemptsLogged(refused.messageId)) assert.equal(attempt.deferred, 1);
  assert.equal(
    mx.received.some((message) => message.recipients.includes('gina@sts.test')),
    false,
  );
  assert.equal(await dsnAbout('gina@sts.test')(), undefined, 'deferred, not bounced');
  assert.equal(attemptsLogged(allowed.messageId).length, 1);
});

test('a mixed batch: the good recipients get it, one DSN lists only the bad one', async () => {
  mx.rcptReplies.set('judy@mixed.test', [{ code: 550, message: '5.1.1 Unknown recipient' }]);
  const recipients = ['ivan@mixed.test', 'judy@mixed.test', 'kim@mixed.test'];
  await submitOutbound(bed.storage, testMessage(recipients, 'Team note'), recipients);
  const received = await eventually(receivedBy('ivan@mixed.test'), 'delivery to the good recipients');
  assert.deepEqual(received.recipients.sort(), ['ivan@mixed.test', 'kim@mixed.test']);
  const dsn = await eventually(dsnAbout('judy@mixed.test'), 'the DSN');
  assert.doesNotMatch(dsn, /Final-Recipient: rfc822;(ivan|kim)@mixed\.test/);
  const dsns = (await mailboxTexts(bed.storage, bed.senderUserId, 'INBOX')).filter((text) => text.includes('judy@mixed.test'));
  assert.equal(dsns.length, 1);
});
