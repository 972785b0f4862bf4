// Direct egress over several MX hosts (RFC 5321 §5.1), end to end: a domain with two MX records on
// loopback DNS, the first answered by a fake MX on 127.0.0.1 and the second by one on 127.0.0.2
// (same port). What one MX could not decide — no connection, a 4xx, or (RFC 8689 §4.2.1) no way
// to keep a REQUIRETLS promise — goes to the next MX within the same attempt; a 5xx is final.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLogger } from '../../../core/log/logger.js';
import { startEgressWorker } from '../../../services/smtp-fargate/egress/worker.js';
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
  type FakeMxFeatures,
  type LoopbackDns,
  type MtaStsPolicyServer,
  type ZoneRecords,
} from './support/egress-fixture.js';

let bed: EgressBed;
let dns: LoopbackDns;
let policyServer: MtaStsPolicyServer;
const logLines: Record<string, unknown>[] = [];

const twoMx: ZoneRecords = {
  mx: [
    { priority: 10, exchange: 'mx1.two.test' },
    { priority: 20, exchange: 'mx2.two.test' },
  ],
};

before(async () => {
  bed = await openEgressBed();
  dns = await startLoopbackDns(
    new Map<string, ZoneRecords>([
      ['mx1.two.test', { a: ['127.0.0.1'] }],
      ['mx2.two.test', { a: ['127.0.0.2'] }],
      // Nothing listens on 127.0.0.3: connections are refused at once.
      ['mx0.down.test', { a: ['127.0.0.3'] }],
      // Both MX hosts named by an MTA-STS policy, so REQUIRETLS may use either (RFC 8689 §4.2.1).
      ['fallback.test', twoMx],
      ['_mta-sts.fallback.test', { txt: ['v=STSv1; id=1'] }],
      [
        'down.test',
        {
          mx: [
            { priority: 5, exchange: 'mx0.down.test' },
            { priority: 20, exchange: 'mx2.two.test' },
          ],
        },
      ],
    ]),
  );
  policyServer = await startMtaStsPolicyServer({
    'mta-sts.fallback.test': 'version: STSv1\r\nmode: testing\r\nmx: mx1.two.test\r\nmx: mx2.two.test\r\nmax_age: 86400\r\n',
  });
});

after(async () => {
  await policyServer.close();
  await dns.close();
  await bed.close();
});

/** Two fake MX hosts on one port (127.0.0.1 and .2) and a direct-mode worker pointed at them. */
async function withTwoMx(first: FakeMxFeatures, second: FakeMxFeatures, body: (mx1: FakeMx, mx2: FakeMx) => Promise<void>): Promise<void> {
  const mx1 = await startFakeMx('mx1.two.test', undefined, first);
  const mx2 = await startFakeMx('mx2.two.test', undefined, { ...second, listen: { host: '127.0.0.2', port: mx1.port } });
  const worker = startEgressWorker({
    storage: bed.storage,
    config: egressConfig({ mode: 'direct', dnsServers: [dns.server], remoteSmtpPort: mx1.port }),
    hostname: 'mail.sender.test',
    logger: createLogger({ level: 'info', write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) }),
    transportDeps: { tlsOptions: { ca: [mx1.certificate.certPem, mx2.certificate.certPem] }, mtaStsFetcher: policyServer.fetcher },
    concurrency: 2,
  });
  try {
    await body(mx1, mx2);
  } finally {
    await worker.stop();
    await mx2.close();
    await mx1.close();
  }
}

const receivedBy = (mx: FakeMx, address: string) => () => Promise.resolve(mx.received.find((m) => m.recipients.includes(address)));

function dsnsAbout(address: string) {
  return async () => (await mailboxTexts(bed.storage, bed.senderUserId, 'INBOX')).filter((text) => text.includes(`Final-Recipient: rfc822;${address}`));
}

function firstAttempt(messageId: string) {
  return () => Promise.resolve(logLines.find((line) => line.msg === 'outbound attempt' && line.messageId === messageId));
}

const requireTls = { requireTls: true } as const;

test('REQUIRETLS: the first MX does not offer REQUIRETLS, the second does → delivered to the second', async () => {
  await withTwoMx({}, { requireTls: true }, async (mx1, mx2) => {
    const job = await submitOutbound(bed.storage, testMessage(['ana@fallback.test'], 'Sealed'), ['ana@fallback.test'], requireTls);
    const delivered = await eventually(receivedBy(mx2, 'ana@fallback.test'), 'delivery at the second MX');
    assert.equal(delivered.tls, true);
    assert.equal(delivered.requireTls, true, 'MAIL FROM … REQUIRETLS to the host that took it on');
    assert.equal(mx1.received.length, 0, 'nothing was sent to the MX without REQUIRETLS');
    const attempt = await eventually(firstAttempt(job.messageId), 'attempt logged');
    assert.deepEqual([attempt.delivered, attempt.failed, attempt.deferred], [1, 0, 0], 'decided within one attempt');
    assert.deepEqual(await dsnsAbout('ana@fallback.test')(), []);
  });
});

test('REQUIRETLS: neither MX offers REQUIRETLS → one DSN with 5.7.30 naming the last host tried', async () => {
  await withTwoMx({}, {}, async (mx1, mx2) => {
    await submitOutbound(bed.storage, testMessage(['ben@fallback.test'], 'Sealed'), ['ben@fallback.test'], requireTls);
    const [dsn, ...more] = await eventually(async () => {
      const found = await dsnsAbout('ben@fallback.test')();
      return found.length > 0 ? found : undefined;
    }, 'DSN for fallback.test');
    assert.equal(more.length, 0, 'one DSN');
    assert.match(dsn!, /^Status: 5\.7\.30$/mu);
    assert.match(dsn!, /^Remote-MTA: dns;mx2\.two\.test$/mu);
    assert.match(dsn!, /550 5\.7\.30 REQUIRETLS support required: mx2\.two\.test does not offer REQUIRETLS/u);
    assert.equal(mx1.received.length + mx2.received.length, 0);
  });
});

test('a 4xx at the first MX and a refused connection fall through to the next MX; a 5xx is final', async () => {
  await withTwoMx({}, {}, async (mx1, mx2) => {
    // Greylisting at MX 1 for one recipient; the other is accepted there.
    mx1.rcptReplies.set('cy@fallback.test', [{ code: 451, message: '4.7.1 Greylisted, try again later' }]);
    const job = await submitOutbound(bed.storage, testMessage(['cy@fallback.test', 'di@fallback.test'], 'Hello'), ['cy@fallback.test', 'di@fallback.test']);
    await eventually(receivedBy(mx2, 'cy@fallback.test'), 'greylisted recipient delivered at the second MX');
    assert.ok(mx1.received.some((m) => m.recipients.includes('di@fallback.test')), 'the accepted one stayed at the first MX');
    assert.ok(!mx2.received.some((m) => m.recipients.includes('di@fallback.test')), 'and was not sent twice');
    const attempt = await eventually(firstAttempt(job.messageId), 'attempt logged');
    assert.deepEqual([attempt.delivered, attempt.deferred], [2, 0]);

    // The preferred MX refuses the connection: the next one takes the message in the same attempt.
    const downJob = await submitOutbound(bed.storage, testMessage(['ed@down.test'], 'Hello'), ['ed@down.test']);
    await eventually(receivedBy(mx2, 'ed@down.test'), 'delivery past the unreachable MX');
    assert.equal((await eventually(firstAttempt(downJob.messageId), 'attempt logged')).delivered, 1);

    // A permanent refusal from an MX that answered is the domain's answer: no second opinion.
    mx1.rcptReplies.set('fi@fallback.test', [{ code: 550, message: '5.1.1 No such user' }]);
    await submitOutbound(bed.storage, testMessage(['fi@fallback.test'], 'Hello'), ['fi@fallback.test']);
    const [dsn] = await eventually(async () => {
      const found = await dsnsAbout('fi@fallback.test')();
      return found.length > 0 ? found : undefined;
    }, 'DSN for the unknown user');
    assert.match(dsn!, /^Remote-MTA: dns;mx1\.two\.test$/mu);
    assert.ok(!mx2.received.some((m) => m.recipients.includes('fi@fallback.test')));
  });
});
