// The IMAP network shell: the only code touching sockets, TLS and PROXY headers. Each connection
// gets a CommandFramer (limits), an ImapSession (protocol) and this file's SessionIo (bytes).
// SECURITY: trusts PROXY v2 headers only when `proxyProtocol` is on (the NLB is then the only
// route in); before TLS it offers STARTTLS and refuses passwords; caps connections per IP and user.
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { AuthThrottle, DEFAULT_AUTH_THROTTLE, type AuthThrottleOptions } from '../../../core/auth/auth-throttle.js';
import type { Logger } from '../../../core/log/logger.js';
import type { Storage } from '../../../core/ports/index.js';
import type { TlsContextProvider } from '../../../core/tls/certificates.js';
import { CommandFramer, type FramerEvent } from './protocol/command-framer.js';
import { LITERAL_HIGH_WATER_BYTES } from './protocol/incoming-literal.js';
import { readProxyV2ClientIp } from '../../../core/net/read-proxy-header.js';
import { ImapSession } from './session/session.js';
import type { SessionIo, UserConnectionLimiter } from './session/session-io.js';

export interface ImapServiceConfig {
  readonly host: string;
  /** Plaintext port with STARTTLS (143; 2143 locally); 0 picks a free port. */
  readonly port: number;
  /** Implicit TLS port (993; 2993 locally), or null for none. */
  readonly tlsPort: number | null;
  readonly hostname: string;
  readonly maxMessageBytes: number;
  /** Expect a PROXY v2 header on every connection (behind the NLB). */
  readonly proxyProtocol?: boolean;
  /** RFC 7162 §4 asks for at least 8,192; long UID sets from big mailboxes need more. */
  readonly maxLineBytes?: number;
  readonly maxConnectionsPerIp?: number;
  readonly maxConnectionsPerUser?: number;
  /** Untagged OK during IDLE, well inside the NLB's 350 s default idle timeout. */
  readonly idleKeepaliveMs?: number;
  /** RFC 3501 §5.4: the autologout timer is at least 30 minutes. */
  readonly inactivityTimeoutMs?: number;
  /** Local development only: LOGIN without TLS. */
  readonly allowPlaintextAuth?: boolean;
  readonly authThrottle?: AuthThrottleOptions;
}

export interface ImapServiceOptions {
  readonly storage: Pick<Storage, 'mailIndex' | 'blobs' | 'directory' | 'changes' | 'textIndex' | 'attempts'>;
  readonly config: ImapServiceConfig;
  readonly logger: Logger;
  /** null: no STARTTLS and no implicit-TLS port. */
  readonly tls: TlsContextProvider | null;
  /** Shared with POP3 and SMTP so failures count across protocols; a private one otherwise. */
  readonly throttle?: AuthThrottle;
}

export interface ImapService {
  readonly ports: { readonly imap: number; readonly imaps: number | null };
  /** Open client connections: the autoscaling metric (core/log/metrics.ts). */
  activeConnections(): number;
  /** Stops accepting, says BYE to every session after its current command, waits for them (bounded). */
  close(drainTimeoutMs?: number): Promise<void>;
}

const PROXY_HEADER_TIMEOUT_MS = 5_000;
/** Output is written to the socket in writes of about this size (fewer syscalls and wakeups per byte). */
const FLUSH_BYTES = 256 * 1024;

class CountLimiter implements UserConnectionLimiter {
  private readonly counts = new Map<string, number>();
  constructor(private readonly limit: number) {}
  acquire(key: string): boolean {
    const count = this.counts.get(key) ?? 0;
    if (count >= this.limit) return false;
    this.counts.set(key, count + 1);
    return true;
  }
  release(key: string): void {
    const count = (this.counts.get(key) ?? 1) - 1;
    if (count <= 0) this.counts.delete(key);
    else this.counts.set(key, count);
  }
}

class Connection implements SessionIo {
  socket: net.Socket;
  session!: ImapSession;
  private framer: CommandFramer;
  private inbox: FramerEvent[] = [];
  private pumping = false;
  /** Text replies coalesce here (cheap string concatenation) and go out as one socket write. */
  private pendingText = '';
  /** Bytes written since the last flush; the socket stays corked meanwhile (one writev per flush). */
  private pendingBytes = 0;
  private corked = false;
  private closed = false;
  private flushScheduled = false;

  constructor(
    socket: net.Socket,
    private readonly service: ImapServer,
  ) {
    this.socket = socket;
    this.framer = service.newFramer();
    this.attach();
  }

  private attach(): void {
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.setTimeout(this.service.inactivityTimeoutMs, () => this.session.bye('Autologout: idle for too long'));
  }

  private receive(chunk: Buffer): void {
    this.inbox.push(...this.framer.push(chunk));
    if (this.inbox.length > 64) this.socket.pause(); // a client that pipelines faster than we answer
    // An APPEND literal faster than the blob store takes it: hold the socket until the reader catches up.
    const literal = this.framer.streamingLiteral;
    if (literal !== null && literal.bufferedBytes > LITERAL_HIGH_WATER_BYTES) {
      const socket = this.socket;
      socket.pause();
      literal.onDrain = () => {
        literal.onDrain = null;
        socket.resume();
      };
    }
    this.pump().catch((error: unknown) => {
      this.service.logger.error('connection failed', { error });
      this.socket.destroy();
    });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.inbox.length > 0 && !this.closed) {
        const event = this.inbox.shift() as FramerEvent;
        await this.session.handle(event);
        this.flush();
        if (this.inbox.length < 16) this.socket.resume();
      }
    } finally {
      this.pumping = false;
    }
  }

  write(data: string | Buffer): void {
    if (this.closed) return;
    if (typeof data === 'string') this.pendingText += data;
    else {
      // Buffers (message bodies) are not copied: they join the corked socket's queue after the text before them.
      this.cork();
      this.writeText();
      this.socket.write(data);
    }
    this.pendingBytes += data.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    // Output outside a command (IDLE pushes, BYE) is not flushed by pump(): flush it on the next turn.
    else if (!this.pumping && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  flush(): void {
    if (this.closed) return;
    this.writeText();
    this.pendingBytes = 0;
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
  }

  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
  }

  private writeText(): void {
    if (this.pendingText.length === 0) return;
    this.socket.write(this.pendingText);
    this.pendingText = '';
  }

  /** Flushes, then waits until the client has taken what was written (or the connection is gone). */
  async drain(): Promise<void> {
    this.flush(); // what was written must reach the socket first (APPEND's `+` is awaited this way)
    if (!this.socket.writableNeedDrain || this.closed || this.socket.destroyed) return;
    const socket = this.socket;
    await new Promise<void>((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  /**
   * Blob chunks join the corked output, so a FETCH of many small messages goes out in few large
   * writes (response line, body and closing paren together) rather than three syscalls each.
   */
  async pipe(source: AsyncIterable<Uint8Array>): Promise<void> {
    for await (const chunk of source) {
      if (this.closed) break;
      this.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      if (this.socket.writableNeedDrain && this.pendingBytes === 0) await this.drain();
    }
  }

  async startTls(): Promise<void> {
    this.flush();
    // Plaintext pipelined after STARTTLS is discarded (RFC 3501 §6.2.1 / RFC 7817 §4.1 injection).
    this.inbox = [];
    this.framer = this.service.newFramer();
    this.socket.removeAllListeners('data');
    this.socket.setTimeout(0);
    const secure = new tls.TLSSocket(this.socket, { isServer: true, ...this.service.tlsOptions() });
    await once(secure, 'secure');
    this.socket = secure;
    this.attach();
    secure.on('error', () => undefined);
  }

  close(): void {
    this.flush();
    this.closed = true;
    this.socket.end();
  }

  /** The client is gone: an APPEND literal still arriving is aborted, so nothing of it is stored. */
  abortInput(): void {
    this.framer.abort();
  }

  idleKeepalive(): void {
    if (!this.session.idling || this.closed) return;
    this.write('* OK Still here\r\n');
    this.flush();
  }
}

class ImapServer {
  readonly connections = new Set<Connection>();
  private readonly perIp: CountLimiter;
  private readonly userLimiter: UserConnectionLimiter;
  private readonly authThrottle: AuthThrottle;
  readonly inactivityTimeoutMs: number;
  readonly logger: Logger;

  constructor(private readonly options: ImapServiceOptions) {
    this.logger = options.logger;
    const c = options.config;
    this.perIp = new CountLimiter(c.maxConnectionsPerIp ?? 50);
    this.userLimiter = new CountLimiter(c.maxConnectionsPerUser ?? 20);
    this.authThrottle = options.throttle ?? new AuthThrottle(options.storage.attempts, c.authThrottle ?? DEFAULT_AUTH_THROTTLE);
    this.inactivityTimeoutMs = c.inactivityTimeoutMs ?? 30 * 60_000;
  }

  newFramer(): CommandFramer {
    return new CommandFramer({ maxLineBytes: this.options.config.maxLineBytes ?? 64 * 1024, maxLiteralBytes: this.options.config.maxMessageBytes });
  }

  tlsOptions(): tls.TlsOptions {
    if (this.options.tls === null) throw new Error('TLS is not configured');
    return this.options.tls.serverOptions();
  }

  async accept(raw: net.Socket, implicitTls: boolean): Promise<void> {
    raw.on('error', () => undefined); // resets are normal; the close handler cleans up
    let clientIp = raw.remoteAddress ?? 'unknown';
    const log = this.options.logger;
    try {
      if (this.options.config.proxyProtocol === true) clientIp = (await readProxyV2ClientIp(raw, PROXY_HEADER_TIMEOUT_MS)) ?? clientIp;
    } catch (error) {
      log.warn('proxy header rejected', { clientIp, reason: (error as Error).message });
      raw.destroy();
      return;
    }
    let socket: net.Socket = raw;
    if (implicitTls) {
      socket = new tls.TLSSocket(raw, { isServer: true, ...this.tlsOptions() });
      socket.on('error', () => undefined);
      try {
        await once(socket, 'secure');
      } catch {
        raw.destroy();
        return;
      }
    }
    if (!this.perIp.acquire(clientIp)) {
      socket.end('* BYE [UNAVAILABLE] Too many connections from your address; close some and retry\r\n');
      return;
    }
    const connection = new Connection(socket, this);
    connection.session = new ImapSession(
      { storage: this.options.storage, authThrottle: this.authThrottle, userLimiter: this.userLimiter, logger: log, hostname: this.options.config.hostname, maxMessageBytes: this.options.config.maxMessageBytes },
      connection,
      { clientIp, secure: implicitTls, startTlsAvailable: this.options.tls !== null && !implicitTls, allowPlaintextAuth: this.options.config.allowPlaintextAuth === true },
    );
    this.connections.add(connection);
    raw.on('close', () => {
      connection.abortInput();
      connection.session.close();
      this.perIp.release(clientIp);
      this.connections.delete(connection);
    });
    connection.session.greet();
    connection.flush();
    socket.resume(); // paused while a PROXY header was read; what came with it is read now
  }
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

export async function startImapService(options: ImapServiceOptions): Promise<ImapService> {
  const imap = new ImapServer(options);
  const { config, logger } = options;
  const accept = (implicitTls: boolean) => (socket: net.Socket) => {
    imap.accept(socket, implicitTls).catch((error: unknown) => {
      logger.error('connection setup failed', { error });
      socket.destroy();
    });
  };
  const plain = net.createServer(accept(false));
  const secure = config.tlsPort !== null && options.tls !== null ? net.createServer(accept(true)) : null;
  const port = await listen(plain, config.port, config.host);
  const tlsPort = secure === null ? null : await listen(secure, config.tlsPort ?? 0, config.host);
  const keepalive = setInterval(() => {
    for (const connection of imap.connections) connection.idleKeepalive();
  }, config.idleKeepaliveMs ?? 120_000);
  keepalive.unref();
  logger.info('imap listening', { port, tlsPort });
  return {
    activeConnections: () => imap.connections.size,
    ports: { imap: port, imaps: tlsPort },
    async close(drainTimeoutMs = 10_000) {
      clearInterval(keepalive);
      const stopped = [plain, ...(secure === null ? [] : [secure])].map((server) => new Promise((resolve) => server.close(resolve)));
      const sockets = [...imap.connections].map((c) => c.socket);
      await Promise.all([...imap.connections].map((c) => c.session.shutdown().then(() => c.flush())));
      const closed = Promise.all(sockets.map((s) => (s.destroyed ? Promise.resolve() : once(s, 'close').catch(() => undefined))));
      const timer = new Promise((resolve) => setTimeout(resolve, drainTimeoutMs).unref());
      await Promise.race([closed, timer]);
      for (const socket of sockets) socket.destroy();
      await Promise.all(stopped);
    },
  };
}
