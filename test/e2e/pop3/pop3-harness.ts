// Test harness for the POP3 service: local storage in a temp directory, one user with an INBOX, a
// self-signed certificate, the service on port 0, and helpers to run real clients (Python poplib,
// curl, fetchmail) against it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AuthThrottle, type AuthThrottleOptions } from '../../../core/auth/auth-throttle.js';
import { hashPassword } from '../../../core/auth/password.js';
import { openLocalStorage } from '../../../core/adapters/local/open-local-storage.js';
import { silentLogger } from '../../../core/log/logger.js';
import { parseMessageStructure } from '../../../core/mime/index.js';
import type { Mailbox, Storage, User } from '../../../core/ports/index.js';
import { ensureDefaultMailboxes } from '../../../core/storage/default-mailboxes.js';
import { withChangeNotifications } from '../../../core/storage/notifying-mail-index.js';
import { createSelfSignedCertificate, StaticCertificateSource, TlsContextProvider } from '../../../core/tls/certificates.js';
import { startPop3Service, type Pop3Limits, type Pop3Service } from '../../../services/imap-fargate/pop3/server.js';

export const PASSWORD = 'correct horse battery';

/** The system Python when there is one: version-manager shims (pyenv) cost seconds per start. */
const PYTHON = process.env.YUBIN_TEST_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

/** scrypt is deliberately slow: hash the test password once per test process. */
let passwordHash: Promise<string> | null = null;

let certificate: Promise<TlsContextProvider> | null = null;
function tlsProvider(): Promise<TlsContextProvider> {
  certificate ??= (async () => {
    const provider = new TlsContextProvider(new StaticCertificateSource(await createSelfSignedCertificate('localhost')));
    await provider.refresh();
    return provider;
  })();
  return certificate;
}

export interface Pop3TestServer {
  readonly storage: Storage;
  readonly service: Pop3Service;
  readonly address: string;
  readonly user: User;
  readonly inbox: Mailbox;
  /** Stores the bytes as a new INBOX message, as delivery would; returns its UID. */
  deliver(message: Buffer | string): Promise<number>;
  /** UIDs in INBOX right now, as IMAP sees them. */
  inboxUids(): Promise<number[]>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly limits?: Partial<Pop3Limits>;
  readonly proxyProtocol?: boolean;
  readonly throttle?: AuthThrottleOptions;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<Pop3TestServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'yubin-pop3-'));
  const storage = await openLocalStorage({ dataDir });
  await storage.directory.addDomain('example.test');
  const address = 'alice@example.test';
  passwordHash ??= hashPassword(PASSWORD);
  const user = await storage.directory.addUser({ address, passwordHash: await passwordHash });
  const [inbox] = await ensureDefaultMailboxes(storage.mailIndex, user.id);
  if (inbox?.name !== 'INBOX') throw new Error('ensureDefaultMailboxes returned no INBOX first');
  const service = await startPop3Service({
    storage: { ...storage, mailIndex: withChangeNotifications(storage.mailIndex, storage.changes, silentLogger) },
    config: { hostname: 'pop.example.test', listenHost: '127.0.0.1', ports: { pop3: 0, pop3s: 0 }, proxyProtocol: options.proxyProtocol },
    logger: silentLogger,
    tls: await tlsProvider(),
    throttle: new AuthThrottle(storage.attempts, options.throttle),
    limits: options.limits,
  });
  return {
    storage,
    service,
    address,
    user,
    inbox,
    async deliver(message) {
      const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message, 'latin1');
      const blob = await storage.blobs.put(Readable.from([bytes]), { prefix: 'msg/' });
      const appended = await storage.mailIndex.appendMessage(inbox.id, {
        blobKey: blob.key,
        sizeBytes: blob.sizeBytes,
        internalDate: new Date(),
        structure: await parseMessageStructure(Readable.from([bytes])),
      });
      return appended.uid;
    },
    inboxUids: () => storage.mailIndex.listUids(inbox.id),
    async close() {
      await service.close();
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ProcessResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a client program; never rejects, so tests can assert on failures too. */
export function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'buffer', timeout: options.timeoutMs ?? 30_000, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr: stderr.toString() });
    });
  });
}

/**
 * Runs a Python poplib script. The script gets `host`, `port`, `user`, `password`, `ctx` (a TLS
 * context that accepts the self-signed certificate) and `emit(value)`, which prints JSON;
 * bytes are emitted as latin1 strings so tests can compare them byte for byte.
 */
export async function runPoplib(port: number, script: string): Promise<unknown[]> {
  const prelude = [
    'import poplib, ssl, json, sys, base64',
    'host, port, user, password = "127.0.0.1", int(sys.argv[1]), sys.argv[2], sys.argv[3]',
    'ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE',
    'def plain(s): return s.decode("latin1") if isinstance(s, bytes) else [plain(x) for x in s] if isinstance(s, (list, tuple)) else s',
    'def emit(value): print(json.dumps(plain(value)), flush=True)',
  ].join('\n');
  const result = await run(PYTHON, ['-c', `${prelude}\n${script}`, String(port), 'alice@example.test', PASSWORD]);
  if (result.code !== 0) throw new Error(`python3 failed (${result.code}): ${result.stderr}`);
  return result.stdout
    .toString()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/** Runs `body` against a fresh server (own data directory and user), closing it afterwards. */
export async function withServer(body: (server: Pop3TestServer) => Promise<void>, options: TestServerOptions = {}): Promise<void> {
  const server = await startTestServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}
