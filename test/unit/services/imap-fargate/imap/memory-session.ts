// Test harness: IMAP sessions with no socket over a fresh local backend (SQLite + files in a temp
// dir) with one user, ann@example.test. `send` feeds raw client bytes through the real framer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLocalStorage } from '../../../../../core/adapters/local/open-local-storage.js';
import { AuthThrottle } from '../../../../../core/auth/auth-throttle.js';
import { hashPassword } from '../../../../../core/auth/password.js';
import { silentLogger } from '../../../../../core/log/logger.js';
import type { Storage } from '../../../../../core/ports/index.js';
import { withChangeNotifications } from '../../../../../core/storage/notifying-mail-index.js';
import { CommandFramer } from '../../../../../services/imap-fargate/imap/protocol/command-framer.js';
import { ImapSession } from '../../../../../services/imap-fargate/imap/session/session.js';
import type { SessionIo } from '../../../../../services/imap-fargate/imap/session/session-io.js';

export const PASSWORD = 'a long password';

export class MemoryIo implements SessionIo {
  /** Raw bytes, so binary (NUL-carrying) responses can be checked exactly. */
  bytes: Buffer[] = [];
  closed = false;
  write(data: string | Buffer): void {
    this.bytes.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }
  async pipe(source: AsyncIterable<Uint8Array>): Promise<void> {
    for await (const chunk of source) this.bytes.push(Buffer.from(chunk));
  }
  async drain(): Promise<void> {}
  async startTls(): Promise<void> {
    throw new Error('no TLS in memory');
  }
  close(): void {
    this.closed = true;
  }
  takeBytes(): Buffer {
    const out = Buffer.concat(this.bytes);
    this.bytes = [];
    return out;
  }
  take(): string {
    return this.takeBytes().toString();
  }
}

export interface MemoryImap {
  readonly storage: Storage;
  client(options?: { maxMessageBytes?: number }): MemoryClient;
  close(): Promise<void>;
}

export interface MemoryClient {
  readonly session: ImapSession;
  readonly io: MemoryIo;
  /** Sends one command (CRLF added; literals included) and returns everything the server wrote for it. */
  send(text: string | Buffer): Promise<string>;
  /** Like send, without the CRLF and returning raw bytes. */
  sendRaw(bytes: Buffer): Promise<Buffer>;
}

export async function openMemoryImap(): Promise<MemoryImap> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-imap-session-'));
  const opened = await openLocalStorage({ dataDir });
  const storage: Storage = { ...opened, mailIndex: withChangeNotifications(opened.mailIndex, opened.changes, silentLogger), close: () => opened.close() };
  await storage.directory.addDomain('example.test');
  await storage.directory.addUser({ address: 'ann@example.test', passwordHash: await hashPassword(PASSWORD) });
  return {
    storage,
    client(options = {}) {
      const maxMessageBytes = options.maxMessageBytes ?? 1 << 20;
      const io = new MemoryIo();
      const session = new ImapSession(
        { storage, authThrottle: new AuthThrottle(storage.attempts), userLimiter: { acquire: () => true, release: () => undefined }, logger: silentLogger, hostname: 'test', maxMessageBytes },
        io,
        { clientIp: '192.0.2.1', secure: true, startTlsAvailable: false, allowPlaintextAuth: false },
      );
      const framer = new CommandFramer({ maxLineBytes: 8192, maxLiteralBytes: maxMessageBytes });
      const sendRaw = async (bytes: Buffer) => {
        await Promise.all(framer.push(bytes).map((event) => session.handle(event)));
        return io.takeBytes();
      };
      return { session, io, sendRaw, send: async (text) => (await sendRaw(Buffer.concat([Buffer.from(text), Buffer.from('\r\n')]))).toString() };
    },
    async close() {
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
