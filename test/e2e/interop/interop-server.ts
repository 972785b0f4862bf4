// What the client interop tests talk to: IMAP and POP3 on 127.0.0.1 port 0 over local storage in a
// temp data dir, with a certificate from the throwaway test CA (clients verify it for real where
// they can), one user with the default mailboxes, and helpers to run a client binary in its own HOME.
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLocalStorage } from '../../../core/adapters/local/open-local-storage.js';
import { hashPassword } from '../../../core/auth/password.js';
import { silentLogger } from '../../../core/log/logger.js';
import { parseMessageStructure } from '../../../core/mime/index.js';
import type { Mailbox, Storage, User } from '../../../core/ports/index.js';
import { ensureDefaultMailboxes } from '../../../core/storage/default-mailboxes.js';
import { withChangeNotifications } from '../../../core/storage/notifying-mail-index.js';
import { StaticCertificateSource, TlsContextProvider } from '../../../core/tls/certificates.js';
import { startImapService, type ImapService } from '../../../services/imap-fargate/imap/server.js';
import { startPop3Service, type Pop3Service } from '../../../services/imap-fargate/pop3/server.js';
import { createTestCa, type TestCa } from '../../support/test-ca.js';

export const ADDRESS = 'alice@example.test';
export const PASSWORD = 'correct horse battery';

/** Why a client test is skipped on this machine, or false when the binary is there. */
export function missingBinary(binary: string, debianPackage: string): string | false {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return false;
  } catch {
    return `${binary} is not installed (Debian package ${debianPackage}; .ci/run installs it)`;
  }
}

export interface InteropServer {
  readonly storage: Storage;
  readonly imap: ImapService;
  readonly pop3: Pop3Service;
  readonly ca: TestCa;
  readonly user: User;
  /** A scratch directory removed on close: the client's HOME, its config and local mail store. */
  readonly home: string;
  /** Stores the bytes as a new message in `mailbox` (created if missing), as delivery would; returns its UID. */
  deliver(raw: Buffer | string, mailbox?: string, flags?: string[]): Promise<number>;
  mailbox(name: string): Promise<Mailbox>;
  /** What a mailbox holds now, read from the index (UID order). */
  contents(name: string): Promise<ServerMessage[]>;
  /** The message's bytes as stored. */
  raw(name: string, uid: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface ServerMessage {
  readonly uid: number;
  readonly flags: readonly string[];
  readonly messageId: string | null;
  readonly subject: string | null;
}

export async function startInteropServer(): Promise<InteropServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-interop-'));
  const home = path.join(dataDir, 'home');
  await mkdir(home, { mode: 0o700 });
  const opened = await openLocalStorage({ dataDir: path.join(dataDir, 'data'), changePollIntervalMs: 100 });
  // As in main.ts: every index write wakes IDLE sessions through the change feed.
  const storage: Storage = {
    ...opened,
    mailIndex: withChangeNotifications(opened.mailIndex, opened.changes, silentLogger),
    close: () => opened.close(),
  };
  await storage.directory.addDomain('example.test');
  const user = await storage.directory.addUser({
    address: ADDRESS,
    passwordHash: await hashPassword(PASSWORD),
    quotaBytes: 100 * 1024 * 1024,
  });
  await ensureDefaultMailboxes(storage.mailIndex, user.id);
  const ca = createTestCa(['localhost']);
  const tls = new TlsContextProvider(new StaticCertificateSource(ca));
  await tls.refresh();
  const imap = await startImapService({
    storage,
    logger: silentLogger,
    tls,
    config: { host: '127.0.0.1', port: 0, tlsPort: 0, hostname: 'localhost', maxMessageBytes: 10 * 1024 * 1024, idleKeepaliveMs: 60_000 },
  });
  const pop3 = await startPop3Service({
    storage,
    config: { hostname: 'localhost', listenHost: '127.0.0.1', ports: { pop3: 0, pop3s: 0 } },
    logger: silentLogger,
    tls,
  });
  const mailbox = async (name: string): Promise<Mailbox> => {
    const found = await storage.mailIndex.getMailbox(user.id, name);
    return found ?? (await storage.mailIndex.createMailbox(user.id, name, { subscribed: true }));
  };
  return {
    storage,
    imap,
    pop3,
    ca,
    user,
    home,
    mailbox,
    async contents(name) {
      const target = await mailbox(name);
      const uids = await storage.mailIndex.listUids(target.id);
      const messages = await storage.mailIndex.getEnvelopes(target.id, uids);
      return messages.map(({ uid, flags, envelope }) => ({
        uid,
        flags: [...flags].sort(),
        messageId: envelope.messageId,
        subject: envelope.subject,
      }));
    },
    async raw(name, uid) {
      const [message] = await storage.mailIndex.getMessages((await mailbox(name)).id, [uid]);
      if (message === undefined) throw new Error(`no message ${uid} in ${name}`);
      const chunks: Buffer[] = [];
      for await (const chunk of await storage.blobs.get(message.blobKey)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    async deliver(raw, mailboxName = 'INBOX', flags = []) {
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
      const source = async function* () {
        yield bytes;
      };
      const blob = await storage.blobs.put(source(), { prefix: 'msg/' });
      const structure = await parseMessageStructure(source());
      const target = await mailbox(mailboxName);
      const appended = await storage.mailIndex.appendMessage(target.id, {
        blobKey: blob.key,
        sizeBytes: blob.sizeBytes,
        internalDate: new Date(),
        flags,
        structure,
      });
      return appended.uid;
    },
    async close() {
      await imap.close(2_000);
      await pop3.close();
      await storage.close();
      ca.remove();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `body` against a fresh server, closing it afterwards. */
export async function withInteropServer(body: (server: InteropServer) => Promise<void>): Promise<void> {
  const server = await startInteropServer();
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

export interface ClientResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A client's environment: its own HOME, a UTF-8 locale, nothing else of ours. */
export function clientEnv(server: InteropServer): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: server.home, LANG: 'C.UTF-8', TERM: 'dumb' };
}

/** Runs a client with HOME set to the scratch directory; never rejects, so tests can show the output. */
export function runClient(server: InteropServer, command: string, args: readonly string[], timeoutMs = 30_000): Promise<ClientResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: clientEnv(server), cwd: server.home, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A small, distinct RFC 5322 message (CRLF line ends, as stored). */
export function numberedMessage(index: number, subject = `Message ${index}`): string {
  return [
    'From: Carol <carol@example.org>',
    'To: Alice <alice@example.test>',
    `Subject: ${subject}`,
    `Date: Mon, 30 Nov 2026 10:${String(index % 60).padStart(2, '0')}:00 +0000`,
    `Message-ID: <interop-${index}-${subject.length}@example.org>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of message ${index}.`,
    '',
  ].join('\r\n');
}
