// Smarthost egress: every message goes to one relay over STARTTLS with AUTH; refused credentials
// keep the message queued instead of bouncing it; REQUIRETLS goes on only to a relay that offers it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createLogger } from '../../../core/log/logger.js';
import { startEgressWorker } from '../../../services/smtp-fargate/egress/worker.js';
import {
  egressConfig,
  eventually,
  mailboxTexts,
  openEgressBed,
  startFakeMx,
  submitOutbound,
  testMessage,
  type FakeMxFeatures,
} from './support/egress-fixture.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function relayWith(password: string, features: FakeMxFeatures = {}) {
  const bed = await openEgressBed();
  const relay = await startFakeMx('relay.provider.test', { user: 'yubin', pass: 's3cret-relay' }, features);
  const logLines: Record<string, unknown>[] = [];
  const worker = startEgressWorker({
    storage: bed.storage,
    config: egressConfig({
      mode: 'smarthost',
      smarthost: { host: '127.0.0.1', port: relay.port, implicitTls: false, user: 'yubin', password },
    }),
    hostname: 'mail.sender.test',
    logger: createLogger({ write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) }),
    transportDeps: { tlsOptions: { ca: relay.certificate.certPem } },
  });
  cleanups.push(
    () => worker.stop(),
    () => relay.close(),
    () => bed.close(),
  );
  return { bed, relay, logLines };
}

test('smarthost mode relays through the authenticated relay over TLS', async () => {
  const { bed, relay } = await relayWith('s3cret-relay');
  await submitOutbound(bed.storage, testMessage(['pat@anywhere.test', 'quinn@other.test'], 'Via relay'), [
    'pat@anywhere.test',
    'quinn@other.test',
  ]);
  const received = await eventually(async () => relay.received[0], 'the relayed message');
  assert.deepEqual(received.recipients.sort(), ['pat@anywhere.test', 'quinn@other.test']);
  assert.equal(received.tls, true);
  assert.match(received.raw, /^DKIM-Signature:/);
});

test('refused smarthost credentials defer the message (no bounce, nothing relayed)', async () => {
  const { bed, relay, logLines } = await relayWith('wrong-password');
  await submitOutbound(bed.storage, testMessage(['pat@anywhere.test'], 'Bad credentials'), ['pat@anywhere.test']);
  const attempt = await eventually(async () => logLines.find((line) => line.msg === 'outbound attempt'), 'an attempt');
  assert.equal(attempt.deferred, 1);
  assert.equal(relay.received.length, 0);
  assert.equal((await bed.storage.mailIndex.getMailbox(bed.senderUserId, 'INBOX'))?.messageCount ?? 0, 0);
});

test('REQUIRETLS: passed on to a relay that offers it; bounced with 5.7.30 by one that does not', async () => {
  const willing = await relayWith('s3cret-relay', { requireTls: true });
  await submitOutbound(willing.bed.storage, testMessage(['pat@anywhere.test'], 'Sealed'), ['pat@anywhere.test'], { requireTls: true });
  const received = await eventually(async () => willing.relay.received[0], 'the relayed message');
  assert.equal(received.requireTls, true);

  const unwilling = await relayWith('s3cret-relay');
  await submitOutbound(unwilling.bed.storage, testMessage(['pat@anywhere.test'], 'Sealed'), ['pat@anywhere.test'], { requireTls: true });
  const dsn = await eventually(async () => (await mailboxTexts(unwilling.bed.storage, unwilling.bed.senderUserId, 'INBOX'))[0], 'the DSN');
  assert.match(dsn, /^Status: 5\.7\.30$/mu);
  assert.match(dsn, /does not offer REQUIRETLS/u);
  assert.equal(unwilling.relay.received.length, 0);
});
