// `npm run bench:imap [-- --messages N --idle N --no-dovecot]` (`--idle 0` skips the IDLE part): the issue 5 workload against a
// local-backend IMAP server running in a child process (so its memory and CPU are measured alone),
// over plaintext sockets with a raw client (so client parsing does not count), then the same
// workload against Dovecot when it is installed (bench/dovecot.ts), with the ratio per figure.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dovecotVersion, startDovecot, treeCpuSeconds, treePssKb } from './dovecot.js';

const USER = 'bench@example.test';
const PASSWORD = 'bench password';

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

/** Deterministic message mix: 2–100 KB, one in four multipart with a base64 attachment. */
function makeMessage(n: number): Buffer {
  let seed = n * 2654435761;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const size = 2048 + Math.floor(random() * 98 * 1024);
  const words = ['invoice', 'meeting', 'report', 'deadline', 'lunch', 'budget', 'travel', 'review', 'release', 'contract'];
  const text = (bytes: number) => {
    let out = '';
    while (out.length < bytes) out += (words[Math.floor(random() * words.length)] as string) + (random() < 0.1 ? '\r\n' : ' ');
    return out.slice(0, bytes) + '\r\n';
  };
  const header = `From: Sender ${n % 50} <sender${n % 50}@example.org>\r\nTo: ${USER}\r\nSubject: ${words[n % 10]} number ${n}\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${n}@bench.example>\r\nMIME-Version: 1.0\r\n`;
  if (n % 4 !== 0) return Buffer.from(`${header}Content-Type: text/plain; charset=utf-8\r\n\r\n${text(size)}`);
  const attachment = randomBytes(Math.floor(size * 0.6)).toString('base64').replace(/.{76}/gu, '$&\r\n');
  return Buffer.from(`${header}Content-Type: multipart/mixed; boundary=b${n}\r\n\r\n--b${n}\r\nContent-Type: text/plain\r\n\r\n${text(size * 0.3)}--b${n}\r\nContent-Type: application/octet-stream; name=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b${n}--\r\n`);
}

/** A minimal IMAP client: one command at a time, resolves on its tagged reply (only a tail is kept). */
class RawClient {
  private tail = '';
  private waiter: { tag: string; resolve: () => void } | null = null;
  private watcher: { pattern: RegExp; resolve: (at: number) => void } | null = null;
  private seq = 0;
  bytesReceived = 0;
  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      this.tail = (this.tail + chunk.subarray(Math.max(0, chunk.length - 2048)).toString('latin1')).slice(-4096);
      if (this.watcher !== null && this.watcher.pattern.test(this.tail)) {
        const { resolve } = this.watcher;
        this.watcher = null;
        this.tail = '';
        resolve(Date.now());
      }
      if (this.waiter !== null && new RegExp(`(^|\\r\\n)${this.waiter.tag} [^\\r]*\\r\\n$`, 'u').test(this.tail)) {
        const { resolve } = this.waiter;
        this.waiter = null;
        this.tail = '';
        resolve();
      }
    });
  }
  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    const client = new RawClient(socket);
    const greeted = client.until(/^\* OK/mu);
    await once(socket, 'connect');
    await greeted;
    return client;
  }
  command(text: string | Buffer): Promise<void> {
    const tag = `t${++this.seq}`;
    const done = new Promise<void>((resolve) => (this.waiter = { tag, resolve }));
    this.socket.write(Buffer.concat([Buffer.from(`${tag} `), Buffer.from(text), Buffer.from('\r\n')]));
    return done;
  }
  /** Resolves with the time the pattern first shows in the output. */
  until(pattern: RegExp): Promise<number> {
    if (pattern.test(this.tail)) {
      this.tail = '';
      return Promise.resolve(Date.now());
    }
    return new Promise((resolve) => (this.watcher = { pattern, resolve }));
  }
}

async function timed<T>(task: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const result = await task();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
}

async function login(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  await client.command(`LOGIN ${USER} "${PASSWORD}"`);
  return client;
}

interface Figure {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  readonly better: 'lower' | 'higher';
  /** Server CPU seconds (user + system, whole process tree) the step used. */
  readonly cpuSeconds?: number;
  readonly note?: string;
}

const print = (label: string, value: string) => console.log(`${label.padEnd(62)} ${value}`);

function describe(figure: Figure): string {
  const cpu = figure.cpuSeconds === undefined ? '' : `  [server CPU ${figure.cpuSeconds.toFixed(2)} s]`;
  return `${figure.value.toFixed(figure.value < 10 ? 2 : 0)} ${figure.unit}${figure.note === undefined ? '' : ` ${figure.note}`}${cpu}`;
}

/** The text indexer's backlog and the size of the search tables, read from the server's SQLite file. */
async function searchIndexState(dataDir: string): Promise<{ pending: number; textIndexBytes: number; headerTableBytes: number }> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path.join(dataDir, 'yubin.sqlite'), { readonly: true });
  try {
    const pending = db.prepare('SELECT count(*) FROM message_text_pending WHERE skipped = 0').pluck().get() as number;
    const bytes = (pattern: string) => db.prepare('SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE ?').pluck().get(pattern) as number;
    return { pending, textIndexBytes: bytes('message_text%'), headerTableBytes: bytes('message_headers%') };
  } finally {
    db.close();
  }
}

/** Yubin's lazy text indexer catches up after the appends, so SEARCH TEXT below reads no message. */
async function awaitTextIndex(dataDir: string, serverPid: number): Promise<void> {
  const cpuBefore = await treeCpuSeconds(serverPid);
  const [, catchUpMs] = await timed(async () => {
    while ((await searchIndexState(dataDir)).pending > 0) await new Promise((r) => setTimeout(r, 100));
  });
  const state = await searchIndexState(dataDir);
  print('yubin: text index catch-up after the last APPEND', `${(catchUpMs / 1000).toFixed(1)} s  [server CPU ${((await treeCpuSeconds(serverPid)) - cpuBefore).toFixed(2)} s]`);
  print('yubin: search tables', `text index ${(state.textIndexBytes / 1e6).toFixed(1)} MB, header table ${(state.headerTableBytes / 1e6).toFixed(1)} MB`);
}

/** The issue 5 workload against one IMAP server; `serverPid` roots the process tree measured for CPU and memory. */
async function runWorkload(
  name: string,
  port: number,
  serverPid: number,
  messages: number,
  idleCount: number,
  afterAppend: () => Promise<void> = async () => undefined,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const record = (figure: Figure) => {
    figures.push(figure);
    print(`${name}: ${figure.label}`, describe(figure));
  };
  const cpu = () => treeCpuSeconds(serverPid);
  /** Runs one step, with its wall time in ms and the server's CPU seconds. */
  const step = async <T>(task: () => Promise<T>): Promise<[T, number, number]> => {
    const cpuBefore = await cpu();
    const [result, ms] = await timed(task);
    return [result, ms, (await cpu()) - cpuBefore];
  };
  // APPEND throughput over 4 connections.
  const appenders = await Promise.all(Array.from({ length: 4 }, () => login(port)));
  let bytes = 0;
  const [, appendMs, appendCpu] = await step(() =>
    Promise.all(
      appenders.map(async (client, lane) => {
        for (let n = lane; n < messages; n += appenders.length) {
          const body = makeMessage(n);
          bytes += body.length;
          await client.command(Buffer.concat([Buffer.from(`APPEND INBOX {${body.length}+}\r\n`), body]));
        }
      }),
    ),
  );
  record({ label: 'APPEND', value: (messages / appendMs) * 1000, unit: 'msgs/s', better: 'higher', cpuSeconds: appendCpu, note: `(${(bytes / 1e6).toFixed(0)} MB)` });
  for (const client of appenders) client.socket.destroy();
  await afterAppend();

  const [reader, loginMs] = await timed(async () => {
    const client = await login(port);
    await client.command('SELECT INBOX');
    return client;
  });
  record({ label: 'LOGIN+SELECT', value: loginMs, unit: 'ms', better: 'lower' });
  const [, headerMs, headerCpu] = await step(() => reader.command('UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)'));
  record({ label: 'UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)', value: headerMs / 1000, unit: 's', better: 'lower', cpuSeconds: headerCpu, note: '(target ≤ 0.15 s)' });
  const [, structureMs, structureCpu] = await step(() => reader.command('FETCH 1:* (BODYSTRUCTURE)'));
  record({ label: 'FETCH 1:* (BODYSTRUCTURE)', value: structureMs / 1000, unit: 's', better: 'lower', cpuSeconds: structureCpu });
  const before = reader.bytesReceived;
  const [, bodyMs, bodyCpu] = await step(() => reader.command('FETCH 1:* (BODY.PEEK[])'));
  const mb = (reader.bytesReceived - before) / 1e6;
  record({ label: 'FETCH 1:* BODY.PEEK[]', value: mb / (bodyMs / 1000), unit: 'MB/s', better: 'higher', cpuSeconds: bodyCpu, note: `(${mb.toFixed(0)} MB; target ≥ 180 MB/s)` });
  const [, subjectMs, subjectCpu] = await step(() => reader.command('SEARCH SUBJECT "number 4242"'));
  record({ label: 'SEARCH SUBJECT', value: subjectMs, unit: 'ms', better: 'lower', cpuSeconds: subjectCpu, note: '(target ≤ 30 ms)' });
  const [, textMs, textCpu] = await step(() => reader.command('SEARCH TEXT "zebra-never-there"'));
  record({ label: 'SEARCH TEXT (no match)', value: textMs / 1000, unit: 's', better: 'lower', cpuSeconds: textCpu, note: '(target ≤ 0.3 s)' });
  // Worst case for a trigram candidate filter: a word in nearly every message, each one verified.
  const [, commonMs, commonCpu] = await step(() => reader.command('SEARCH TEXT "budget"'));
  record({ label: 'SEARCH TEXT "budget" (in most messages)', value: commonMs / 1000, unit: 's', better: 'lower', cpuSeconds: commonCpu });
  if (idleCount === 0) {
    reader.socket.destroy();
    return figures;
  }

  // Idle connections: memory (PSS of the server's process tree) and push latency.
  const basePss = await treePssKb(serverPid);
  const idlers: RawClient[] = [];
  for (let i = 0; i < idleCount; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, idleCount - i) }, async () => {
        const client = await login(port);
        await client.command('SELECT INBOX');
        client.socket.write('idle IDLE\r\n');
        await client.until(/^\+ /mu);
        return client;
      }),
    );
    idlers.push(...batch);
  }
  await new Promise((r) => setTimeout(r, 1_000));
  const idlePss = await treePssKb(serverPid);
  record({ label: `memory per IDLE connection (${idleCount})`, value: (idlePss - basePss) / idleCount, unit: 'KB PSS', better: 'lower', note: '(target ≤ 60 KB)' });
  const arrivals = idlers.map((client) => client.until(/EXISTS/u));
  const body = makeMessage(messages + 1);
  await reader.command(Buffer.concat([Buffer.from(`APPEND INBOX {${body.length}+}\r\n`), body]));
  // Measured from the APPEND's commit (its tagged OK): the delivery is durable from then on.
  const committed = Date.now();
  const latencies = (await Promise.all(arrivals)).map((at) => Math.max(0, at - committed)).sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number;
  record({ label: `EXISTS push to ${idleCount} IDLE sessions, p99`, value: p(0.99), unit: 'ms', better: 'lower', note: `(p50 ${p(0.5)} ms, max ${latencies[latencies.length - 1]} ms; target ≤ 1,000 ms)` });
  for (const client of idlers) client.socket.destroy();
  reader.socket.destroy();
  return figures;
}

/** Yubin beside Dovecot, figure by figure; "×" says how many times better Yubin is (below 1: worse). */
function printComparison(yubin: readonly Figure[], dovecot: readonly Figure[], dovecotVersionText: string): void {
  console.log(`\nYubin vs Dovecot ${dovecotVersionText} (same workload, same machine, one after the other)`);
  for (const figure of yubin) {
    const other = dovecot.find((f) => f.label === figure.label);
    if (other === undefined) continue;
    const times = figure.better === 'higher' ? figure.value / other.value : other.value / figure.value;
    const cpu = figure.cpuSeconds === undefined || other.cpuSeconds === undefined ? '' : `   CPU ${figure.cpuSeconds.toFixed(2)} s vs ${other.cpuSeconds.toFixed(2)} s`;
    print(figure.label, `${figure.value.toFixed(2)} vs ${other.value.toFixed(2)} ${figure.unit}   ${Number.isFinite(times) ? times.toFixed(2) : '∞'}× ${times >= 1 ? 'better' : 'worse'}${cpu}`);
  }
}

async function runBench(): Promise<void> {
  const messages = flag('messages', 10_000);
  const idleCount = flag('idle', 2_000);
  const withDovecot = !process.argv.includes('--no-dovecot');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-bench-imap-'));
  const server: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', dataDir, String(idleCount + 10)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [port] = (await once(server, 'message')) as [number];
  console.log(`IMAP benchmark: ${messages} messages, ${idleCount} IDLE connections, local backend, plaintext (TLS excluded); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  let yubin: Figure[];
  try {
    yubin = await runWorkload('yubin', port, server.pid as number, messages, idleCount, () => awaitTextIndex(dataDir, server.pid as number));
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
    await rm(dataDir, { recursive: true, force: true });
  }
  const version = dovecotVersion();
  if (!withDovecot || version === null) {
    console.log(version === null ? 'Dovecot comparison: dovecot-imapd is not installed here; ratios not measured.' : 'Dovecot comparison skipped (--no-dovecot).');
    return;
  }
  const dovecot = await startDovecot({ user: USER, password: PASSWORD, maxConnections: idleCount + 10 });
  let theirs: Figure[];
  try {
    theirs = await runWorkload('dovecot', dovecot.ports.imap, dovecot.masterPid, messages, idleCount);
  } finally {
    await dovecot.stop();
  }
  printComparison(yubin, theirs, version);
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

/** Child process: the server under test, with a bench user whose password is cheap to check. */
async function serve(dataDir: string, maxConnections: number): Promise<void> {
  const { openLocalStorage } = await import('../core/adapters/local/open-local-storage.js');
  const { withChangeNotifications } = await import('../core/storage/notifying-mail-index.js');
  const { silentLogger } = await import('../core/log/logger.js');
  const { startImapService } = await import('../services/imap-fargate/imap/server.js');
  const { TextIndexer } = await import('../core/search/text-indexer.js');
  const opened = await openLocalStorage({ dataDir });
  const storage = { ...opened, mailIndex: withChangeNotifications(opened.mailIndex, opened.changes, silentLogger) };
  await storage.directory.addDomain('example.test');
  // The stored form names its own parameters (core/auth/password.ts): N=2^10 keeps 2,000 logins quick.
  const salt = randomBytes(16);
  const hash = scryptSync(PASSWORD, salt, 32, { N: 1024, r: 8, p: 1 });
  await storage.directory.addUser({ address: USER, passwordHash: `scrypt$1024$8$1$${salt.toString('base64')}$${hash.toString('base64')}` });
  const service = await startImapService({
    storage,
    logger: silentLogger,
    tls: null,
    config: { host: '127.0.0.1', port: 0, tlsPort: null, hostname: 'bench', maxMessageBytes: 50 << 20, allowPlaintextAuth: true, maxConnectionsPerIp: maxConnections, maxConnectionsPerUser: maxConnections },
  });
  // The text indexer runs beside the server, as in the mail access service.
  const indexer = new TextIndexer(opened.textIndex!, opened.blobs, silentLogger);
  indexer.start();
  process.send?.(service.ports.imap);
  process.once('SIGTERM', () => void Promise.all([service.close(1_000), indexer.stop()]).then(() => opened.close()).then(() => process.exit(0)));
}

if (process.argv[2] === '--serve') void serve(process.argv[3] as string, Number(process.argv[4]));
else await runBench();
