// A real IMAP service on 127.0.0.1 port 0 over the local storage adapters in a temporary data dir,
// with a self-signed certificate and two users: what the IMAP end-to-end tests talk to.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLocalStorage } from '../../../core/adapters/local/open-local-storage.js';
import { hashPassword } from '../../../core/auth/password.js';
import { silentLogger } from '../../../core/log/logger.js';
import { parseMessageStructure } from '../../../core/mime/index.js';
import type { Storage } from '../../../core/ports/index.js';
import { withChangeNotifications } from '../../../core/storage/notifying-mail-index.js';
import { StaticCertificateSource, TlsContextProvider, createSelfSignedCertificate } from '../../../core/tls/certificates.js';
import { startImapService, type ImapService, type ImapServiceConfig } from '../../../services/imap-fargate/imap/server.js';

export const PASSWORD = 'correct horse battery';
export const ALICE = 'alice@example.test';
export const BOB = 'bob@example.test';

export interface ImapFixture {
  readonly storage: Storage;
  readonly service: ImapService;
  readonly port: number;
  readonly tlsPort: number;
  /** The local backend's data directory (blobs under `blobs/`). */
  readonly dataDir: string;
  /** Delivers a message the way the delivery worker does: blob, structure, index (which notifies the feed). */
  deliver(address: string, raw: string | Buffer, mailbox?: string, flags?: string[]): Promise<number>;
  close(): Promise<void>;
}

let certificate: Promise<{ keyPem: string; certPem: string }> | null = null;

export async function startFixture(overrides: Partial<ImapServiceConfig> = {}): Promise<ImapFixture> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-imap-'));
  const opened = await openLocalStorage({ dataDir, changePollIntervalMs: 100 });
  // As in main.ts: every index write wakes IDLE sessions through the change feed.
  const storage: Storage = { ...opened, mailIndex: withChangeNotifications(opened.mailIndex, opened.changes, silentLogger), close: () => opened.close() };
  await storage.directory.addDomain('example.test');
  const passwordHash = await hashPassword(PASSWORD);
  for (const address of [ALICE, BOB]) await storage.directory.addUser({ address, passwordHash, quotaBytes: 50 * 1024 * 1024 });
  certificate ??= createSelfSignedCertificate('localhost');
  const tls = new TlsContextProvider(new StaticCertificateSource(await certificate));
  await tls.refresh();
  const service = await startImapService({
    storage,
    logger: silentLogger,
    tls,
    config: { host: '127.0.0.1', port: 0, tlsPort: 0, hostname: 'imap.example.test', maxMessageBytes: 10 * 1024 * 1024, idleKeepaliveMs: 60_000, ...overrides },
  });
  return {
    storage,
    service,
    port: service.ports.imap,
    tlsPort: service.ports.imaps ?? 0,
    dataDir,
    async deliver(address, raw, mailboxName = 'INBOX', flags = []) {
      const user = await storage.directory.getUser(address);
      if (user === null) throw new Error(`no user ${address}`);
      let mailbox = await storage.mailIndex.getMailbox(user.id, mailboxName);
      mailbox ??= await storage.mailIndex.createMailbox(user.id, mailboxName);
      const bytes = Buffer.from(raw);
      const source = async function* () {
        yield bytes;
      };
      const blob = await storage.blobs.put(source(), { prefix: 'msg/' });
      const structure = await parseMessageStructure(source());
      const result = await storage.mailIndex.appendMessage(mailbox.id, { blobKey: blob.key, sizeBytes: blob.sizeBytes, internalDate: new Date(), flags, structure });
      return result.uid;
    },
    async close() {
      await service.close(2_000);
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function sampleMessage(subject: string, body = 'Hello there.\r\n', extraHeaders = ''): string {
  return `From: Carol <carol@example.org>\r\nTo: Alice <alice@example.test>\r\nSubject: ${subject}\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@example.org>\r\n${extraHeaders}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`;
}
