// REQUIRETLS (RFC 8689) and `TLS-Required: No` in direct egress, end to end: outbound jobs → the
// egress worker → MX and MTA-STS lookups on loopback DNS and HTTPS → fake MX servers (smtp-server)
// that offer STARTTLS and REQUIRETLS, STARTTLS only, or neither. A REQUIRETLS message is delivered
// only over validated TLS to an MTA-STS-authenticated MX that takes the requirement on; otherwise
// the sender gets a DSN (5.7.10 / 5.7.30) and nothing is sent in a weaker way.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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
  type FakeMxFeatures,
  type LoopbackDns,
  type MtaStsPolicyServer,
  type ZoneRecords,
} from './support/egress-fixture.js';

let bed: EgressBed;
let dns: LoopbackDns;
let policyServer: MtaStsPolicyServer;
const logLines: Record<string, unknown>[] = [];

const LOOPBACK = ['127.0.0.1'];
const policy = (mode: string, mx: string) => `version: STSv1\r\nmode: ${mode}\r\nmx: ${mx}\r\nmax_age: 86400\r\n`;

before(async () => {
  bed = await openEgressBed();
  dns = await startLoopbackDns(
    new Map<string, ZoneRecords>([
      ['mx.remote.test', { a: LOOPBACK }],
      ['mx.sts.test', { a: LOOPBACK }],
      // MX authenticated by an MTA-STS policy (testing mode is enough for REQUIRETLS).
      ['secure.test', { mx: [{ priority: 10, exchange: 'mx.remote.test' }] }],
      ['_mta-sts.secure.test', { txt: ['v=STSv1; id=1'] }],
      // No MTA-STS: the MX set cannot be authenticated (no DNSSEC here).
      ['plain.test', { mx: [{ priority: 10, exchange: 'mx.remote.test' }] }],
      // Enforced policy naming mx.sts.test, whose server shows a certificate for mx.remote.test.
      ['mismatch.test', { mx: [{ priority: 10, exchange: 'mx.sts.test' }] }],
      ['_mta-sts.mismatch.test', { txt: ['v=STSv1; id=1'] }],
    ]),
  );
  policyServer = await startMtaStsPolicyServer({
    'mta-sts.secure.test': policy('testing', 'mx.remote.test'),
    'mta-sts.mismatch.test': policy('enforce', 'mx.sts.test'),
  });
});

after(async () => {
  await policyServer.close();
  await dns.close();
  await bed.close();
});

/** Runs `body` with a fake MX of these features and a direct-mode worker pointed at it. */
async function withMx(features: FakeMxFeatures, body: (mx: FakeMx) => Promise<void>): Promise<void> {
  const mx = await startFakeMx('mx.remote.test', undefined, features);
  const worker: EgressWorker = startEgressWorker({
    storage: bed.storage,
    config: egressConfig({ mode: 'direct', dnsServers: [dns.server], remoteSmtpPort: mx.port }),
    hostname: 'mail.sender.test',
    logger: createLogger({ level: 'info', write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) }),
    // The MX certificate is trusted, so only a host name mismatch can fail validation.
    transportDeps: { tlsOptions: { ca: mx.certificate.certPem }, mtaStsFetcher: policyServer.fetcher },
    concurrency: 2,
  });
  try {
    await body(mx);
  } finally {
    await worker.stop();
    await mx.close();
  }
}

function dsnAbout(address: string) {
  return async () => (await mailboxTexts(bed.storage, bed.senderUserId, 'INBOX')).find((text) => text.includes(`Final-Recipient: rfc822;${address}`));
}

function attemptsLogged(messageId: string) {
  return () => {
    const attempts = logLines.filter((line) => line.msg === 'outbound attempt' && line.messageId === messageId);
    return Promise.resolve(attempts.length > 0 ? attempts : undefined);
  };
}

const SECRET_BODY = 'The launch code is 0000.\r\n';
const requireTls = { requireTls: true, dsnReturn: 'FULL' } as const;

test('an MX offering STARTTLS and REQUIRETLS: delivered over TLS with REQUIRETLS; unauthenticated MX and TLS-Required: No', async () => {
  await withMx({ requireTls: true }, async (mx) => {
    await submitOutbound(bed.storage, testMessage(['bob@secure.test'], 'Sealed', SECRET_BODY), ['bob@secure.test'], requireTls);
    const delivered = await eventually(() => Promise.resolve(mx.received.find((m) => m.recipients.includes('bob@secure.test'))), 'delivery to secure.test');
    assert.equal(delivered.tls, true);
    assert.equal(delivered.requireTls, true, 'REQUIRETLS passed on to the next hop');

    // No MTA-STS policy: the MX cannot be authenticated, so nothing is sent and the DSN says why.
    await submitOutbound(bed.storage, testMessage(['ann@plain.test'], 'Sealed too', SECRET_BODY), ['ann@plain.test'], requireTls);
    const dsn = await eventually(dsnAbout('ann@plain.test'), 'DSN for plain.test');
    assert.match(dsn, /^Status: 5\.7\.10$/mu);
    assert.match(dsn, /Diagnostic-Code: smtp;550 5\.7\.10 REQUIRETLS: the mail servers of plain\.test cannot be authenticated/u);
    assert.match(dsn, /REQUIRETLS \(RFC 8689\)/u, 'the plain-language part explains it');
    assert.ok(!dsn.includes('launch code'), 'RET=FULL is narrowed to headers for a REQUIRETLS message');
    assert.equal(mx.received.filter((m) => m.recipients.includes('ann@plain.test')).length, 0);

    // TLS-Required: No (RFC 8689 §5): the enforced policy's certificate mismatch is ignored.
    const relaxed = `TLS-Required: No\r\n${testMessage(['carl@mismatch.test'], 'Not secret')}`;
    await submitOutbound(bed.storage, relaxed, ['carl@mismatch.test']);
    const received = await eventually(() => Promise.resolve(mx.received.find((m) => m.recipients.includes('carl@mismatch.test'))), 'delivery despite MTA-STS');
    assert.equal(received.requireTls, false);

    // REQUIRETLS wins over the header (§4.1): the same certificate mismatch defers, nothing is sent.
    const strict = `TLS-Required: No\r\n${testMessage(['dora@mismatch.test'], 'Secret after all', SECRET_BODY)}`;
    const job = await submitOutbound(bed.storage, strict, ['dora@mismatch.test'], requireTls);
    const [attempt] = await eventually(attemptsLogged(job.messageId), 'first attempt for mismatch.test');
    assert.equal(attempt?.deferred, 1, 'a certificate problem is retried on the normal schedule');
    assert.equal(mx.received.filter((m) => m.recipients.includes('dora@mismatch.test')).length, 0);
    assert.equal(await dsnAbout('dora@mismatch.test')(), undefined, 'no failure DSN for a temporary TLS failure');
  });
});

test('an MX without STARTTLS: a REQUIRETLS message bounces with 5.7.10, an MTA-STS one is deferred; nothing goes in plaintext', async () => {
  await withMx({ starttls: false }, async (mx) => {
    await submitOutbound(bed.storage, testMessage(['eve@secure.test'], 'Sealed', SECRET_BODY), ['eve@secure.test'], requireTls);
    const dsn = await eventually(dsnAbout('eve@secure.test'), 'DSN for the MX without STARTTLS');
    assert.match(dsn, /^Status: 5\.7\.10$/mu);
    assert.match(dsn, /550 5\.7\.10 REQUIRETLS: mx\.remote\.test does not offer STARTTLS/u);

    // Without REQUIRETLS, an enforced MTA-STS policy meeting no STARTTLS defers (RFC 8461 §5), never bounces.
    const job = await submitOutbound(bed.storage, testMessage(['gus@mismatch.test'], 'Ordinary'), ['gus@mismatch.test']);
    const [attempt] = await eventually(attemptsLogged(job.messageId), 'first attempt for mismatch.test');
    assert.equal(attempt?.deferred, 1);
    assert.equal(await dsnAbout('gus@mismatch.test')(), undefined);
    assert.equal(mx.received.length, 0);
  });
});

test('an MX with STARTTLS but without REQUIRETLS: the requirement cannot be passed on → 5.7.30', async () => {
  await withMx({}, async (mx) => {
    await submitOutbound(bed.storage, testMessage(['fay@secure.test'], 'Sealed', SECRET_BODY), ['fay@secure.test'], requireTls);
    const dsn = await eventually(dsnAbout('fay@secure.test'), 'DSN for the MX without REQUIRETLS');
    assert.match(dsn, /^Status: 5\.7\.30$/mu);
    assert.match(dsn, /550 5\.7\.30 REQUIRETLS support required: mx\.remote\.test does not offer REQUIRETLS/u);
    assert.equal(mx.received.filter((m) => m.recipients.includes('fay@secure.test')).length, 0);
  });
});
