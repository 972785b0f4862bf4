// `npm run bench:imap [-- --messages N --idle N]`: the issue 5 workload against a local-backend
// IMAP server running in a child process (so its memory is measured alone), over plaintext
// sockets with a raw client (so client parsing does not count). Prints one figure per line; CPU
// figures are the server process's user+system seconds (wall clock is noisy on shared machines).
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, scryptSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** User + system CPU seconds of a process so far (/proc/PID/stat fields 14 and 15, in clock ticks of 10 ms). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
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

function pssKb(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/smaps_rollup`, 'utf8').then((text) => Number(/^Pss:\s+(\d+)/mu.exec(text)?.[1] ?? 0));
}

async function runBench(): Promise<void> {
  const messages = flag('messages', 10_000);
  const idleCount = flag('idle', 2_000);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-bench-imap-'));
  const server: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', dataDir, String(idleCount + 10)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [port] = (await once(server, 'message')) as [number];
  const print = (label: string, value: string) => console.log(`${label.padEnd(48)} ${value}`);
  console.log(`Yubin IMAP benchmark: ${messages} messages, ${idleCount} IDLE connections, local backend, plaintext (TLS excluded)`);
  try {
    // APPEND throughput over 4 connections (the text indexer runs beside it, as in production).
    const appendCpuBefore = await cpuSeconds(server.pid as number);
    const appenders = await Promise.all(Array.from({ length: 4 }, () => login(port)));
    let appended = 0;
    let bytes = 0;
    const [, appendMs] = await timed(() =>
      Promise.all(
        appenders.map(async (client, lane) => {
          for (let n = lane; n < messages; n += appenders.length) {
            const body = makeMessage(n);
            bytes += body.length;
            await client.command(Buffer.concat([Buffer.from(`APPEND INBOX {${body.length}+}\r\n`), body]));
            appended++;
          }
        }),
      ),
    );
    const appendCpu = (await cpuSeconds(server.pid as number)) - appendCpuBefore;
    print('APPEND', `${((appended / appendMs) * 1000).toFixed(0)} msgs/s (${(bytes / 1e6).toFixed(0)} MB in ${(appendMs / 1000).toFixed(1)} s, server CPU ${appendCpu.toFixed(1)} s)`);
    for (const client of appenders) client.socket.destroy();
    // The lazy text indexer catches up after the appends; SEARCH TEXT below then reads no message.
    const catchUpCpuBefore = await cpuSeconds(server.pid as number);
    const [, catchUpMs] = await timed(async () => {
      while ((await searchIndexState(dataDir)).pending > 0) await new Promise((r) => setTimeout(r, 100));
    });
    const catchUpCpu = (await cpuSeconds(server.pid as number)) - catchUpCpuBefore;
    const state = await searchIndexState(dataDir);
    print('text index catch-up after the last APPEND', `${(catchUpMs / 1000).toFixed(1)} s (server CPU ${catchUpCpu.toFixed(1)} s)`);
    print('search tables', `text index ${(state.textIndexBytes / 1e6).toFixed(1)} MB, header table ${(state.headerTableBytes / 1e6).toFixed(1)} MB`);

    const [reader, loginMs] = await timed(async () => {
      const client = await login(port);
      await client.command('SELECT INBOX');
      return client;
    });
    print('LOGIN+SELECT', `${loginMs.toFixed(0)} ms (scrypt cost lowered for the bench)`);
    const [, headerMs] = await timed(() => reader.command('UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)'));
    print('UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)', `${(headerMs / 1000).toFixed(2)} s   (target ≤ 0.15 s)`);
    const [, structureMs] = await timed(() => reader.command('FETCH 1:* (BODYSTRUCTURE)'));
    print('FETCH 1:* (BODYSTRUCTURE)', `${(structureMs / 1000).toFixed(2)} s`);
    const before = reader.bytesReceived;
    const [, bodyMs] = await timed(() => reader.command('FETCH 1:* (BODY.PEEK[])'));
    const mb = (reader.bytesReceived - before) / 1e6;
    print('FETCH 1:* BODY.PEEK[]', `${(mb / (bodyMs / 1000)).toFixed(0)} MB/s (${mb.toFixed(0)} MB)   (target ≥ 180 MB/s)`);
    const [, subjectMs] = await timed(() => reader.command('SEARCH SUBJECT "number 4242"'));
    print('SEARCH SUBJECT', `${subjectMs.toFixed(0)} ms   (target ≤ 30 ms)`);
    const subjectCpuBefore = await cpuSeconds(server.pid as number);
    const [, subjectAgainMs] = await timed(() => reader.command('SEARCH SUBJECT "number 4242"'));
    print('SEARCH SUBJECT (again)', `${subjectAgainMs.toFixed(0)} ms, server CPU ${((await cpuSeconds(server.pid as number)) - subjectCpuBefore).toFixed(2)} s`);
    const searchCpuBefore = await cpuSeconds(server.pid as number);
    const [, textMs] = await timed(() => reader.command('SEARCH TEXT "zebra-never-there"'));
    const searchCpu = (await cpuSeconds(server.pid as number)) - searchCpuBefore;
    print('SEARCH TEXT (no match)', `${(textMs / 1000).toFixed(2)} s, server CPU ${searchCpu.toFixed(2)} s   (target ≤ 0.3 s)`);
    // Worst case for a trigram candidate filter: a word in nearly every message, each one verified.
    const commonCpuBefore = await cpuSeconds(server.pid as number);
    const [, commonMs] = await timed(() => reader.command('SEARCH TEXT "budget"'));
    const commonCpu = (await cpuSeconds(server.pid as number)) - commonCpuBefore;
    print('SEARCH TEXT "budget" (in most messages)', `${(commonMs / 1000).toFixed(2)} s, server CPU ${commonCpu.toFixed(2)} s`);
    const [, trigramMs] = await timed(() => reader.command('SEARCH BODY "rep"'));
    print('SEARCH BODY "rep" (one trigram: no verification)', `${trigramMs.toFixed(0)} ms`);
    if (idleCount === 0) {
      reader.socket.destroy();
      return;
    }

    // Idle connections: memory (PSS of the server process) and push latency.
    const basePss = await pssKb(server.pid as number);
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
    const idlePss = await pssKb(server.pid as number);
    print(`memory per IDLE connection (${idleCount})`, `${(((idlePss - basePss) * 1024) / idleCount / 1024).toFixed(1)} KB PSS   (target ≤ 60 KB)`);
    const arrivals = idlers.map((client) => client.until(/EXISTS/u));
    const body = makeMessage(messages + 1);
    await reader.command(Buffer.concat([Buffer.from(`APPEND INBOX {${body.length}+}\r\n`), body]));
    // Measured from the APPEND's commit (its tagged OK): the delivery is durable from then on.
    const committed = Date.now();
    const latencies = (await Promise.all(arrivals)).map((at) => Math.max(0, at - committed)).sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    print(`EXISTS push to ${idleCount} IDLE sessions`, `p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${latencies[latencies.length - 1]} ms   (target p99 ≤ 1 s)`);
    for (const client of idlers) client.socket.destroy();
    reader.socket.destroy();
    console.log('Dovecot comparison: dovecot-imapd is not installed here; ratios not measured.');
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
    await rm(dataDir, { recursive: true, force: true });
  }
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
  const indexer = new TextIndexer(opened.textIndex!, opened.blobs, silentLogger);
  indexer.start();
  process.send?.(service.ports.imap);
  process.once('SIGTERM', () => void Promise.all([service.close(1_000), indexer.stop()]).then(() => opened.close()).then(() => process.exit(0)));
}

if (process.argv[2] === '--serve') void serve(process.argv[3] as string, Number(process.argv[4]));
else await runBench();
