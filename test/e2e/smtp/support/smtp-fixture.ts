// A running SMTP service on the real local adapters (SQLite + files in a temp dir), listening on
// 127.0.0.1 port 0, with a self-signed certificate and a seeded directory:
//   example.test: alice (password below), bob, carol (quota 1 octet, already over), dave (moved to
//   dave@new.example), alias sales@ → alice+bob, alias team@ → alice.
//   catchall.test: catch-all @catchall.test → alice.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLocalStorage } from '../../../../core/adapters/local/open-local-storage.js';
import { AuthThrottle } from '../../../../core/auth/auth-throttle.js';
import { hashPassword } from '../../../../core/auth/password.js';
import { silentLogger, type Logger } from '../../../../core/log/logger.js';
import type { Storage } from '../../../../core/ports/index.js';
import { localBlobKeys } from '../../../support/local-blobs.js';
import { createSelfSignedCertificate, StaticCertificateSource, TlsContextProvider, type CertificatePem } from '../../../../core/tls/certificates.js';
import { startSmtpService, type SmtpService, type SmtpServiceOptions } from '../../../../services/smtp-fargate/server.js';

export const PASSWORD = 'correct horse battery staple';
export const HOSTNAME = 'mx.example.test';

let certificate: Promise<CertificatePem> | null = null;
/** One self-signed certificate per test process: RSA key generation is slow. */
export function testCertificate(): Promise<CertificatePem> {
  certificate ??= createSelfSignedCertificate('localhost');
  return certificate;
}

export interface SmtpFixture {
  readonly storage: Storage;
  readonly service: SmtpService;
  readonly dataDir: string;
  close(): Promise<void>;
}

export type FixtureOptions = Partial<Omit<SmtpServiceOptions, 'storage' | 'config' | 'logger' | 'tls'>> & {
  readonly maxMessageBytes?: number;
  readonly logger?: Logger;
  readonly withTls?: boolean;
  /** Wraps the real storage, e.g. in a failing decorator. */
  readonly wrapStorage?: (storage: Storage) => Storage;
};

let passwordHash: Promise<string> | null = null;

export async function seedDirectory(storage: Storage): Promise<void> {
  passwordHash ??= hashPassword(PASSWORD);
  const hash = await passwordHash;
  const { directory } = storage;
  await directory.addDomain('example.test');
  await directory.addDomain('catchall.test');
  for (const local of ['alice', 'bob']) await directory.addUser({ address: `${local}@example.test`, passwordHash: hash });
  await directory.addUser({ address: 'carol@example.test', passwordHash: hash, quotaBytes: 0 });
  await directory.addUser({ address: 'dave@example.test', passwordHash: hash });
  await directory.updateUser('dave@example.test', { status: 'moved', movedTo: 'dave@new.example' });
  await directory.putAlias({ source: 'sales@example.test', targets: ['alice@example.test', 'bob@example.test'] });
  await directory.putAlias({ source: 'team@example.test', targets: ['alice@example.test'] });
  await directory.putAlias({ source: '@catchall.test', targets: ['alice@example.test'] });
}

export async function startSmtpFixture(options: FixtureOptions = {}): Promise<SmtpFixture> {
  const { maxMessageBytes, logger, withTls, wrapStorage, ...serviceOptions } = options;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-smtp-'));
  const realStorage = await openLocalStorage({ dataDir });
  await seedDirectory(realStorage);
  const storage = wrapStorage ? wrapStorage(realStorage) : realStorage;
  const tls = withTls === false ? null : new TlsContextProvider(new StaticCertificateSource(await testCertificate()));
  const service = await startSmtpService({
    storage,
    config: { hostname: HOSTNAME, listenHost: '127.0.0.1', ports: { smtp: 0, submission: 0, submissions: 0 }, maxMessageBytes: maxMessageBytes ?? 1024 * 1024 },
    logger: logger ?? silentLogger,
    tls,
    authThrottle: new AuthThrottle(storage.attempts),
    ...serviceOptions,
  });
  return {
    storage: realStorage,
    service,
    dataDir,
    async close() {
      await service.close();
      await realStorage.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every job waiting in a queue, without consuming them for good (they are received, then listed). */
export async function queuedJobs<T>(queue: Storage['inboundQueue'] | Storage['outboundQueue']): Promise<T[]> {
  const jobs: T[] = [];
  for (;;) {
    const batch = await queue.receive({ maxJobs: 10, visibilityTimeoutSeconds: 600 });
    if (batch.length === 0) return jobs;
    jobs.push(...batch.map((job) => job.body as T));
  }
}

export async function readBlob(storage: Storage, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.blobs.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every spool blob in a local data dir, as a row or a file (test/support/local-blobs.ts). */
export function spooledBlobs(dataDir: string): Promise<string[]> {
  return localBlobKeys(dataDir, 'spool/');
}
