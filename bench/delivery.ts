// `npm run bench:delivery`: deliveries per second on the local backend (SQLite + files) for 10 KB
// messages, single-part and multipart, one at a time and four in parallel (the worker's default),
// and the share of delivery time spent in the MIME structure parser. DNS answers NXDOMAIN at once
// (no network), so the figures are the pipeline's own cost. BENCH_DELIVERIES scales the run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openLocalStorage } from '../core/adapters/local/open-local-storage.js';
import { deliverInboundJob } from '../core/delivery/deliver-inbound-job.js';
import type { StreamingStructureParser } from '../core/delivery/final-message-writer.js';
import type { InboundDeliveryJob } from '../core/mail/jobs.js';
import { createStructureParser } from '../core/mime/index.js';
import { deliveryTestBed, spoolMessage } from '../test/support/delivery-fixtures.js';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 1_000);
const MESSAGE_BYTES = 10 * 1024;

function singlePart(i: number): string {
  const header = `From: Sender <s@sender.test>\r\nTo: bob@bench.test\r\nSubject: bench ${i}\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${i}@sender.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n`;
  const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n';
  return header + line.repeat(Math.ceil((MESSAGE_BYTES - header.length) / line.length));
}

function multipart(i: number): string {
  const boundary = `b-${i}`;
  const header = `From: Sender <s@sender.test>\r\nTo: bob@bench.test\r\nSubject: bench ${i}\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${i}@sender.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n`;
  const text = `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${'Hello, see the attachment.\r\n'.repeat(20)}`;
  const html = `--${boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${'<p>Hello, see the attachment.</p>\r\n'.repeat(20)}`;
  const attachment = `--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="data.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n`;
  const used = header.length + text.length + html.length + attachment.length + boundary.length + 8;
  const base64Line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n';
  return (
    header +
    text +
    html +
    attachment +
    base64Line.repeat(Math.max(1, Math.floor((MESSAGE_BYTES - used) / base64Line.length))) +
    `--${boundary}--\r\n`
  );
}

/** The real parser, with the time spent inside it added up. */
function timedParserFactory(clock: { parseMs: number }): () => StreamingStructureParser {
  return () => {
    const parser = createStructureParser();
    return {
      write(chunk) {
        const started = performance.now();
        parser.write(chunk);
        clock.parseMs += performance.now() - started;
      },
      end() {
        const started = performance.now();
        const structure = parser.end();
        clock.parseMs += performance.now() - started;
        return structure;
      },
    };
  };
}

async function run(kind: string, build: (i: number) => string, concurrency: number): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-bench-delivery-'));
  const storage = await openLocalStorage({ dataDir });
  const clock = { parseMs: 0 };
  const bed = await deliveryTestBed(storage, { createStructureParser: timedParserFactory(clock) });
  await storage.directory.addDomain('bench.test');
  await storage.directory.addUser({ address: 'bob@bench.test', passwordHash: 'unused' });
  // Spooling is the SMTP service's work: done before the clock starts.
  const jobs: InboundDeliveryJob[] = [];
  for (let i = 0; i < DELIVERIES; i++)
    jobs.push(await spoolMessage(storage, build(i), { mailFrom: 's@sender.test', recipients: ['bob@bench.test'] }));
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) if ((await deliverInboundJob(jobs[next++], bed.deps)).kind !== 'delivered') failed++;
    }),
  );
  const elapsedMs = performance.now() - started;
  const perSecond = (DELIVERIES / elapsedMs) * 1000;
  console.log(
    `${kind.padEnd(11)} concurrency ${concurrency}: ${perSecond.toFixed(0).padStart(5)} deliveries/s, ` +
      `${(elapsedMs / DELIVERIES).toFixed(2)} ms each, parsing ${((clock.parseMs / elapsedMs) * 100).toFixed(1)}% of the time` +
      (concurrency > 1 ? ' (summed parse time over wall time)' : '') +
      (failed > 0 ? `, ${failed} FAILED` : ''),
  );
  await bed.cleanup();
  await storage.close();
  await rm(dataDir, { recursive: true, force: true });
}

console.log(`delivery benchmark: ${DELIVERIES} messages of ~${MESSAGE_BYTES / 1024} KB per row, local backend, one recipient each`);
for (const concurrency of [1, 4]) {
  await run('single-part', singlePart, concurrency);
  await run('multipart', multipart, concurrency);
}
