// `npm run bench:storage`: storage figures per adapter set (the contract suite's list, so every
// backend appears): index appends/s, the SMTP accept path (durable blob + durable queue send)
// per second at 64 and at 256 concurrent sessions (2,000 messages/s of ~100 ms SMTP sessions keep
// ~200 sessions open), and the latency of listing 1,000 messages from the middle of a 100,000-message
// mailbox by UID and by sequence range. BENCH_MESSAGES scales the big mailbox down for slow emulators.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { InboundDeliveryJob } from '../core/mail/jobs.js';
import type { Storage } from '../core/ports/index.js';
import { adapterSets } from '../test/contracts/adapter-sets.js';
import { freshUserId, sampleMessage } from '../test/contracts/support/fixtures.js';

const BIG_MAILBOX_MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const TIMED_APPENDS = 5_000;
const ACCEPTED_MESSAGES = 5_000;
/** Concurrent delivery workers / IMAP sessions for appends and the mailbox fill. */
const CONCURRENCY = 64;
/** Concurrent SMTP sessions of the accept path runs. */
const ACCEPT_CONCURRENCIES = [64, 256] as const;
const LIST_PAGE = 1_000;
const LIST_RUNS = 30;

interface Row {
  readonly set: string;
  readonly appendsPerSecond: number;
  readonly acceptsPerSecond: readonly number[];
  readonly listByUidMs: Percentiles;
  readonly listBySequenceMs: Percentiles;
}

interface Percentiles {
  readonly p50: number;
  readonly p95: number;
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; returns elapsed seconds. */
async function timedPool(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

async function fillMailbox(storage: Storage, mailboxId: string, count: number): Promise<void> {
  const step = Math.max(1, Math.floor(count / 10));
  await timedPool(count, CONCURRENCY, async (i) => {
    await storage.mailIndex.appendMessage(mailboxId, sampleMessage({ sizeBytes: 2_000 + (i % 500) }));
    if ((i + 1) % step === 0) process.stderr.write(`  filled ${i + 1}/${count}\n`);
  });
}

async function timeListing(run: () => Promise<number>): Promise<Percentiles> {
  const samples: number[] = [];
  for (let i = 0; i < LIST_RUNS; i++) {
    const started = performance.now();
    const listed = await run();
    samples.push(performance.now() - started);
    if (listed !== LIST_PAGE) throw new Error(`listed ${listed} messages, expected ${LIST_PAGE}`);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)]!, p95: samples[Math.floor(samples.length * 0.95)]! };
}

function acceptedJob(i: number, blobKey: string, sizeBytes: number): InboundDeliveryJob {
  return {
    kind: 'inbound',
    messageId: `bench-${i}`,
    blobKey,
    sizeBytes,
    envelope: { mailFrom: 'sender@remote.example', recipients: [{ address: 'alice@example.test' }] },
    client: { ip: '192.0.2.1', helo: 'bench.example', tls: false },
    receivedAt: new Date().toISOString(),
  };
}

async function benchmark(storage: Storage, set: string): Promise<Row> {
  process.stderr.write(`[${set}] appends\n`);
  const appendBox = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
  const appendSeconds = await timedPool(TIMED_APPENDS, CONCURRENCY, (i) =>
    storage.mailIndex.appendMessage(appendBox.id, sampleMessage({ idempotencyKey: `a${i}` })),
  );

  const message = randomBytes(4_096);
  const acceptsPerSecond: number[] = [];
  for (const concurrency of ACCEPT_CONCURRENCIES) {
    process.stderr.write(`[${set}] accept path: blob put + queue send, ${concurrency} sessions\n`);
    const seconds = await timedPool(ACCEPTED_MESSAGES, concurrency, async (i) => {
      const blob = await storage.blobs.put(Readable.from([message]), { prefix: 'spool/' });
      await storage.inboundQueue.send(acceptedJob(i, blob.key, blob.sizeBytes));
    });
    acceptsPerSecond.push(ACCEPTED_MESSAGES / seconds);
  }

  process.stderr.write(`[${set}] filling a ${BIG_MAILBOX_MESSAGES}-message mailbox\n`);
  const big = await storage.mailIndex.createMailbox(freshUserId(), 'INBOX');
  await fillMailbox(storage, big.id, BIG_MAILBOX_MESSAGES);
  const middle = Math.floor(BIG_MAILBOX_MESSAGES / 2);
  const listByUidMs = await timeListing(async () => {
    const page = await storage.mailIndex.listMessages(big.id, {
      range: { by: 'uid', from: middle, to: middle + LIST_PAGE - 1 },
      limit: LIST_PAGE,
    });
    return page.messages.length;
  });
  const listBySequenceMs = await timeListing(async () => {
    const page = await storage.mailIndex.listMessages(big.id, {
      range: { by: 'sequence', from: middle, to: middle + LIST_PAGE - 1 },
      limit: LIST_PAGE,
    });
    return page.messages.length;
  });
  return {
    set,
    appendsPerSecond: TIMED_APPENDS / appendSeconds,
    acceptsPerSecond,
    listByUidMs,
    listBySequenceMs,
  };
}

function printTable(rows: readonly Row[]): void {
  const header = [
    'adapter set',
    'appends/s',
    ...ACCEPT_CONCURRENCIES.map((concurrency) => `accepts/s, ${concurrency} sessions`),
    `list ${LIST_PAGE} by UID p50/p95 ms`,
    `list ${LIST_PAGE} by seq p50/p95 ms`,
  ];
  const lines = rows.map((row) => [
    row.set,
    row.appendsPerSecond.toFixed(0),
    ...row.acceptsPerSecond.map((perSecond) => perSecond.toFixed(0)),
    `${row.listByUidMs.p50.toFixed(1)} / ${row.listByUidMs.p95.toFixed(1)}`,
    `${row.listBySequenceMs.p50.toFixed(1)} / ${row.listBySequenceMs.p95.toFixed(1)}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(
    `\nmailbox of ${BIG_MAILBOX_MESSAGES} messages; ${TIMED_APPENDS} appends by ${CONCURRENCY} clients; ` +
      `${ACCEPTED_MESSAGES} accepted 4 KiB messages (durable blob + durable job) per run; UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
  );
  console.log(format(header));
  console.log(format(widths.map((width) => '-'.repeat(width))));
  for (const line of lines) console.log(format(line));
}

const rows: Row[] = [];
for (const set of adapterSets) {
  const opened = await set.open();
  try {
    rows.push(await benchmark(opened.storage, set.name));
  } finally {
    await opened.cleanup();
  }
}
printTable(rows);
