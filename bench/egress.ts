// `npm run bench:egress`: outbound messages per second from the queue to a loopback MX (10 KB each,
// one recipient each, spread over 20 destination domains, MX lookups on a loopback DNS server,
// opportunistic STARTTLS, DKIM RSA-2048), and DKIM signatures per second alone.
// BENCH_EGRESS_MESSAGES scales the run; BENCH_EGRESS_CONCURRENCY sets the worker's loops.
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { silentLogger } from '../core/log/logger.js';
import { DkimSigner } from '../services/smtp-fargate/egress/dkim-signer.js';
import { startEgressWorker } from '../services/smtp-fargate/egress/worker.js';
import {
  egressConfig,
  openEgressBed,
  startFakeMx,
  startLoopbackDns,
  submitOutbound,
  testMessage,
  type ZoneRecords,
} from '../test/e2e/egress/support/egress-fixture.js';

const MESSAGES = Number(process.env.BENCH_EGRESS_MESSAGES ?? 400);
const CONCURRENCY = Number(process.env.BENCH_EGRESS_CONCURRENCY ?? 8);
const DOMAINS = 20;
const SIGNATURES = 300;
const BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n'.repeat(125); // ≈10 KB

const bed = await openEgressBed();
const mx = await startFakeMx('mx.remote.test');
const zone = new Map<string, ZoneRecords>([['mx.remote.test', { a: ['127.0.0.1'] }]]);
for (let d = 0; d < DOMAINS; d += 1) zone.set(`dest${d}.test`, { mx: [{ priority: 10, exchange: 'mx.remote.test' }] });
const dns = await startLoopbackDns(zone);

try {
  // DKIM alone: relaxed/relaxed RSA-2048 over a 10 KB message, one after another.
  const signer = new DkimSigner(bed.storage.directory, silentLogger);
  const sample = Buffer.from(testMessage(['x@dest0.test'], 'sign me', BODY));
  let started = performance.now();
  for (let i = 0; i < SIGNATURES; i += 1) await signer.signatureFor('sender.test', async () => Readable.from([sample]));
  const signaturesPerSecond = SIGNATURES / ((performance.now() - started) / 1000);

  for (let i = 0; i < MESSAGES; i += 1) {
    const to = `user${i}@dest${i % DOMAINS}.test`;
    await submitOutbound(bed.storage, testMessage([to], `bench ${i}`, BODY), [to]);
  }
  started = performance.now();
  const worker = startEgressWorker({
    storage: bed.storage,
    config: egressConfig({ mode: 'direct', dnsServers: [dns.server], remoteSmtpPort: mx.port, perDomainConcurrency: 4 }),
    hostname: 'mail.sender.test',
    logger: silentLogger,
    concurrency: CONCURRENCY,
    waitSeconds: 0.2,
  });
  const deadline = Date.now() + 600_000;
  while (mx.received.length < MESSAGES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  console.log(
    JSON.stringify({
      bench: 'egress',
      messageBytes: sample.length,
      destinationDomains: DOMAINS,
      workerConcurrency: CONCURRENCY,
      messagesDelivered: mx.received.length,
      messagesPerSecond: Number((mx.received.length / seconds).toFixed(1)),
      dkimSignaturesPerSecond: Number(signaturesPerSecond.toFixed(1)),
    }),
  );
} finally {
  await mx.close();
  await dns.close();
  await bed.close();
}
