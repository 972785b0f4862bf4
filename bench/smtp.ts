// `npm run bench:smtp`: accepted messages/s, delivered messages/s (visible in the mailbox), server
// CPU-seconds per 1,000 messages and peak RSS for 10 KB messages over 20 concurrent connections, on
// the local backend with durability on (every 250 follows an fsynced blob and a group-committed
// queue row). The server — SMTP plus the local delivery worker, as in `npm start` — runs in a child
// process (this file with --server) so that its CPU and memory are measured apart from the client.
// A warm-up accepts and delivers 2,000 messages; then phase 1 accepts with delivery paused, and
// phase 2 delivers that backlog.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import inspector from 'node:inspector';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { openLocalStorage } from '../core/adapters/local/open-local-storage.js';
import { hashPassword } from '../core/auth/password.js';
import { loadConfig } from '../core/config/index.js';
import { localDeliveryDeps } from '../core/delivery/local-delivery.js';
import { DeliveryWorker } from '../core/delivery/worker.js';
import { createLogger } from '../core/log/logger.js';
import { startSmtpService } from '../services/smtp-fargate/server.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2_000);
/** BENCH_DELIVERY=0 measures accepting only. */
const MEASURE_DELIVERY = process.env.BENCH_DELIVERY !== '0';
/**
 * Accepted and delivered before anything is measured (BENCH_WARMUP), so that both paths run code
 * V8 has optimised, as a server that has been up for a while does: after 300 the accept path still
 * cost ~1.5 × the CPU it settles at (docs/smtp.md, "Benchmark").
 */
const WARMUP_MESSAGES = Number(process.env.BENCH_WARMUP ?? 2_000);
/** BENCH_PROFILE=DIR: V8 CPU profiles of the server's two measured phases, accept.cpuprofile and deliver.cpuprofile. */
const PROFILE_DIR = process.env.BENCH_PROFILE;
/** BENCH_DELIVERY_CONCURRENCY overrides the worker's default (what npm start runs). */
const DELIVERY_CONCURRENCY = process.env.BENCH_DELIVERY_CONCURRENCY ? Number(process.env.BENCH_DELIVERY_CONCURRENCY) : undefined;
const MESSAGE_BYTES = 10 * 1024;

async function runServer(dataDir: string): Promise<void> {
  const storage = await openLocalStorage({ dataDir });
  const service = await startSmtpService({
    storage,
    config: { hostname: 'bench.test', listenHost: '127.0.0.1', ports: { smtp: 0, submission: 0, submissions: 0 }, maxMessageBytes: 50 * 1024 * 1024 },
    logger: createLogger({ level: 'warn' }),
    tls: null,
    // One client IP sends everything here: lift the per-IP limits a real MX keeps.
    policy: { messageRate: { max: 1e9, windowMs: 60_000 }, connectionRate: { max: 1e9, windowMs: 60_000 } },
    connections: { maxConnectionsPerIp: 10_000 },
  });
  const logger = createLogger({ level: 'warn' });
  const config = loadConfig({ YUBIN_DATA_DIR: dataDir, YUBIN_HOSTNAME: 'bench.test' });
  // No internet here: DKIM/SPF/DMARC lookups get an immediate NXDOMAIN instead of a timeout.
  const noDns = () => Promise.reject(Object.assign(new Error('no DNS in the bench'), { code: 'ENOTFOUND' }));
  const deps = await localDeliveryDeps(storage, config, logger, noDns);
  // 'deliver' starts a worker as npm start runs it; 'pause' stops it (after the warm-up) and answers
  // 'paused'. 'profile' starts a V8 CPU profile, 'profile:NAME' writes it to PROFILE_DIR/NAME.cpuprofile
  // and answers 'profiled'.
  let worker: DeliveryWorker | null = null;
  const profiler = new inspector.Session();
  if (PROFILE_DIR !== undefined) profiler.connect();
  const inspect = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) => profiler.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  process.on('message', (message) => {
    if (message === 'deliver') {
      worker = new DeliveryWorker({ queue: storage.inboundQueue, deps, logger, concurrency: DELIVERY_CONCURRENCY });
      worker.start();
    }
    if (message === 'pause') void worker?.stop().then(() => process.send?.('paused'));
    if (message === 'profile') void inspect('Profiler.enable').then(() => inspect('Profiler.start'));
    if (typeof message === 'string' && message.startsWith('profile:') && PROFILE_DIR !== undefined) {
      const file = path.join(PROFILE_DIR, `${message.slice('profile:'.length)}.cpuprofile`);
      void inspect('Profiler.stop')
        .then((result) => writeFile(file, JSON.stringify((result as { profile: unknown }).profile)))
        .then(() => process.send?.('profiled'));
    }
  });
  process.stdout.write(`${JSON.stringify({ port: service.ports.smtp, pid: process.pid })}\n`);
  process.once('SIGTERM', () => void (worker?.stop() ?? Promise.resolve()).then(() => service.close()).then(() => storage.close()).then(() => process.exit(0)));
}

interface ProcessUsage {
  readonly userSeconds: number;
  readonly systemSeconds: number;
  /** CPU-seconds (user + system) of the event loop and of the other threads (libuv's pool, V8's helpers, workers). */
  readonly threads: ReadonlyMap<string, number>;
  readonly peakRssMiB: number;
}

/** utime and stime in seconds from a /proc …/stat line: fields 14 and 15, counted after "pid (comm) ". */
function cpuTimes(stat: string): { user: number; system: number } {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

/** CPU time of a process (all threads, also those that ended), per thread name, and peak RSS (Linux /proc). */
async function processUsage(pid: number): Promise<ProcessUsage> {
  const { user, system } = cpuTimes(await readFile(`/proc/${pid}/stat`, 'utf8'));
  const threads = new Map<string, number>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    if (stat === '') continue; // the thread ended meanwhile
    const times = cpuTimes(stat);
    // Node 20 names every thread "node": the event loop is the one whose id is the process id.
    const name = tid === String(pid) ? 'event loop' : 'other threads';
    threads.set(name, (threads.get(name) ?? 0) + times.user + times.system);
  }
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const hwmKiB = Number(/VmHWM:\s+(\d+)/u.exec(status)?.[1] ?? 0);
  return { userSeconds: user, systemSeconds: system, threads, peakRssMiB: hwmKiB / 1024 };
}

/** CPU-seconds per 1,000 messages between two readings: total, user/system split and the busiest threads. */
function cpuPerThousand(before: ProcessUsage, after: ProcessUsage, messages: number): { total: number; detail: string } {
  const perThousand = (seconds: number) => (seconds / messages) * 1000;
  const user = perThousand(after.userSeconds - before.userSeconds);
  const system = perThousand(after.systemSeconds - before.systemSeconds);
  const threads = [...after.threads]
    .map(([name, seconds]) => [name, perThousand(seconds - (before.threads.get(name) ?? 0))] as const)
    .filter(([, value]) => value >= 0.01)
    .sort((a, b) => b[1] - a[1])
    .map(([name, value]) => `${name} ${value.toFixed(2)}`)
    .join(', ');
  return { total: user + system, detail: `user ${user.toFixed(2)} + system ${system.toFixed(2)}; ${threads}` };
}

function messageBody(n: number): Buffer {
  const header = `From: bench@remote.example\r\nTo: user@example.test\r\nSubject: bench ${n}\r\nMessage-ID: <${n}@bench>\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog; 0123456789 abcdefghijklmnopqrstuvwxyz.\r\n';
  return Buffer.from(header + line.repeat(Math.ceil((MESSAGE_BYTES - header.length) / line.length)) + '.\r\n');
}

/** The pipelined envelope (RFC 2920 §3.1: DATA ends the group), built once. */
const ENVELOPE = Buffer.from('MAIL FROM:<bench@remote.example>\r\nRCPT TO:<user@example.test>\r\nDATA\r\n');

/**
 * One client connection sending `count` messages with pipelined envelopes (RFC 2920). Kept cheap
 * (prebuilt buffers, replies counted by their final lines) so that the client, which shares the
 * machine's two cores with the server, is not what limits the figure.
 */
async function sendMessages(port: number, count: number, body: Buffer): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  /** Final reply lines (`NNN text`, not `NNN-text`) received and not yet awaited. */
  let finalReplies = 0;
  let refusal: string | null = null;
  let partialLine = '';
  let waiting: { replies: number; resolve: () => void; reject: (error: Error) => void } | null = null;
  const check = () => {
    if (waiting === null) return;
    if (refusal !== null) return waiting.reject(new Error(`server refused: ${refusal}`));
    if (finalReplies < waiting.replies) return;
    finalReplies -= waiting.replies;
    const current = waiting;
    waiting = null;
    current.resolve();
  };
  socket.on('data', (chunk: Buffer) => {
    const text = partialLine + chunk.toString('latin1');
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      if (text[start + 3] === ' ') finalReplies++;
      if (text[start] === '4' || text[start] === '5') refusal ??= text.slice(start, end);
      start = end + 1;
    }
    partialLine = text.slice(start);
    check();
  });
  socket.on('close', () => waiting?.reject(new Error('server closed the connection')));
  socket.on('error', (error) => waiting?.reject(error));
  const replies = (n: number) =>
    new Promise<void>((resolve, reject) => {
      waiting = { replies: n, resolve, reject };
      check();
    });
  try {
    await replies(1);
    socket.write('EHLO bench.client\r\n');
    await replies(1);
    for (let i = 0; i < count; i++) {
      socket.write(ENVELOPE);
      await replies(3);
      socket.write(body);
      await replies(1);
    }
  } finally {
    socket.end('QUIT\r\n');
  }
}

async function load(port: number, total: number, body: Buffer): Promise<number> {
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, c) => sendMessages(port, Math.floor(total / CONNECTIONS) + (c < total % CONNECTIONS ? 1 : 0), body)));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-bench-smtp-'));
  if (PROFILE_DIR !== undefined) await mkdir(PROFILE_DIR, { recursive: true });
  const storage = await openLocalStorage({ dataDir });
  await storage.directory.addDomain('example.test');
  await storage.directory.addUser({ address: 'user@example.test', passwordHash: await hashPassword('bench password 1') });
  await storage.close();

  // BENCH_NODE_ARGS passes V8/Node flags to the server, e.g. `--single-threaded-gc` to see GC's share.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter((arg) => arg !== '') ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', new URL(import.meta.url).pathname, '--server', dataDir], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  if (child.stdout === null) throw new Error('server child has no stdout');
  const lines = createInterface({ input: child.stdout });
  const { port, pid } = await new Promise<{ port: number; pid: number }>((resolve) => lines.once('line', (line) => resolve(JSON.parse(line))));
  const loadAtStart = loadavg().map((value) => value.toFixed(1)).join(' ');
  /** Sends the server a message and waits for its answer. */
  const childAnswer = (message: string) => new Promise((resolve) => child.once('message', resolve).send(message));
  const check = await openLocalStorage({ dataDir });
  const userId = (await check.directory.getUser('user@example.test'))?.id ?? '';
  const inboxCount = async () => (await check.mailIndex.getMailbox(userId, 'INBOX'))?.messageCount ?? 0;
  /** Polls the INBOX until it holds `count` messages (or ten minutes pass); returns how many it holds. */
  const waitForInbox = async (count: number): Promise<number> => {
    const deadline = Date.now() + 600_000;
    let seen = await inboxCount();
    while (seen < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await inboxCount();
    }
    return seen;
  };
  try {
    const body = messageBody(0);
    await load(port, WARMUP_MESSAGES, body);
    child.send('deliver');
    await waitForInbox(WARMUP_MESSAGES);
    await childAnswer('pause');

    if (PROFILE_DIR !== undefined) child.send('profile');
    const before = await processUsage(pid);
    const clientBefore = process.cpuUsage();
    const seconds = await load(port, MESSAGES, body);
    const clientUsage = process.cpuUsage(clientBefore);
    const after = await processUsage(pid);
    if (PROFILE_DIR !== undefined) await childAnswer('profile:accept');
    const depth = await check.inboundQueue.depth();
    if (depth.ready !== MESSAGES) throw new Error(`expected ${MESSAGES} queued jobs, found ${depth.ready}`);

    if (MEASURE_DELIVERY && PROFILE_DIR !== undefined) child.send('profile');
    if (MEASURE_DELIVERY) child.send('deliver');
    const deliveryStarted = process.hrtime.bigint();
    const delivered = MEASURE_DELIVERY ? (await waitForInbox(WARMUP_MESSAGES + MESSAGES)) - WARMUP_MESSAGES : 0;
    const deliverySeconds = Number(process.hrtime.bigint() - deliveryStarted) / 1e9;
    const afterDelivery = await processUsage(pid);
    if (MEASURE_DELIVERY && PROFILE_DIR !== undefined) await childAnswer('profile:deliver');

    const accepting = cpuPerThousand(before, after, MESSAGES);
    const delivering = cpuPerThousand(after, afterDelivery, MESSAGES);
    const loadAtEnd = loadavg().map((value) => value.toFixed(1)).join(' ');
    console.log(`smtp bench: ${MESSAGES} messages of ${MESSAGE_BYTES / 1024} KB over ${CONNECTIONS} connections after a warm-up of ${WARMUP_MESSAGES}, local backend, fsync on`);
    console.log(`  load average:        ${loadAtStart} at start, ${loadAtEnd} at the end (2-core machine shared with others)`);
    console.log(`  accepted:            ${(MESSAGES / seconds).toFixed(0)} msg/s (${seconds.toFixed(2)} s; target ≥ 2,000)`);
    if (MEASURE_DELIVERY) console.log(`  delivered:           ${(delivered / deliverySeconds).toFixed(0)} msg/s (${delivered}/${MESSAGES} in INBOX after ${deliverySeconds.toFixed(2)} s; target ≥ 600)`);
    console.log(`  server CPU, accept:  ${accepting.total.toFixed(2)} CPU-s per 1,000 messages (${accepting.detail})`);
    // The client shares the machine: if it needed a whole core, the figure above would be its limit.
    const clientSeconds = (clientUsage.user + clientUsage.system) / 1e6;
    console.log(`  client CPU, accept:  ${((clientSeconds / MESSAGES) * 1000).toFixed(2)} CPU-s per 1,000 messages (${((clientSeconds / seconds) * 100).toFixed(0)} % of a core)`);
    if (MEASURE_DELIVERY) {
      console.log(`  server CPU, deliver: ${delivering.total.toFixed(2)} CPU-s per 1,000 messages (${delivering.detail})`);
      console.log(`  server CPU, both:    ${(accepting.total + delivering.total).toFixed(2)} CPU-s per 1,000 messages accepted and delivered (target ≤ 2.5)`);
    }
    console.log(`  server peak RSS:     ${afterDelivery.peakRssMiB.toFixed(0)} MiB`);
    if (MEASURE_DELIVERY && delivered < MESSAGES) throw new Error(`only ${delivered} of ${MESSAGES} messages were delivered`);
  } finally {
    await check.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--server') await runServer(process.argv[3] ?? '');
else await main();
