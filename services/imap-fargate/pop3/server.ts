// The POP3 network shell: the only POP3 file that touches sockets, TLS and timeouts. It listens on
// the plaintext port (STLS upgrade, RFC 2595) and the implicit-TLS port (995 on AWS), feeds client
// lines to a Pop3Session one at a time (so pipelining, RFC 2449 §6.6, is safe), streams message
// bodies with backpressure, and enforces the connection limits.
// SECURITY: trusts nothing the client sends; passwords reach only core/auth; logs carry no passwords
// or message bodies. It may touch the directory, the INBOX index, message blobs and the change feed.
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { AuthThrottle } from '../../../core/auth/auth-throttle.js';
import type { Logger } from '../../../core/log/logger.js';
import type { TlsContextProvider } from '../../../core/tls/certificates.js';
import type { Pop3Reply, Pop3SessionEnvironment, Pop3Step, Pop3Storage } from './commands/types.js';
import { MaildropSessions } from './maildrop-sessions.js';
import { LineReader, type LineEvent } from './protocol/line-reader.js';
import { readProxyV2ClientIp } from '../../../core/net/read-proxy-header.js';
import { errorReply } from './replies.js';
import { Pop3Session } from './session.js';

export interface Pop3Limits {
  /** RFC 2449 §4 caps commands at 255 octets; 1 KiB leaves room for a full SASL PLAIN response. */
  readonly maxLineBytes: number;
  /** RFC 1939 §3: the autologout timer must be at least 10 minutes. */
  readonly idleTimeoutMs: number;
  /** Connections one client address may hold at once (design brief §4.5). */
  readonly maxConnectionsPerIp: number;
  /** Sessions one process serves on one maildrop at once (maildrop-sessions.ts). */
  readonly maxSessionsPerUser: number;
  /** Pipelined lines read ahead before the shell stops reading from the socket. */
  readonly maxQueuedLines: number;
  /** How long a PROXY-protocol listener waits for the header the NLB sends first. */
  readonly proxyHeaderTimeoutMs: number;
}

export const DEFAULT_POP3_LIMITS: Pop3Limits = {
  maxLineBytes: 1024,
  idleTimeoutMs: 10 * 60_000,
  maxConnectionsPerIp: 20,
  maxSessionsPerUser: 10,
  maxQueuedLines: 64,
  proxyHeaderTimeoutMs: 10_000,
};

/** The slice of YubinConfig this service reads. Port 0 picks a free port (tests). */
export interface Pop3ServiceConfig {
  readonly hostname: string;
  readonly listenHost: string;
  readonly ports: { readonly pop3: number; readonly pop3s: number };
  /**
   * Every connection starts with a PROXY v2 header (the AWS NLB's target groups): the client IP
   * comes from it. Only for listeners that nothing but the NLB can reach.
   */
  readonly proxyProtocol?: boolean;
}

export interface Pop3ServiceOptions {
  readonly storage: Pop3Storage;
  readonly config: Pop3ServiceConfig;
  readonly logger: Logger;
  readonly tls: TlsContextProvider;
  /** Shared with IMAP and SMTP so failures count across protocols; a private one otherwise. */
  readonly throttle?: AuthThrottle;
  readonly limits?: Partial<Pop3Limits>;
}

export interface Pop3Service {
  readonly ports: { readonly pop3: number; readonly pop3s: number };
  /** Open client connections: the autoscaling metric (core/log/metrics.ts). */
  activeConnections(): number;
  close(): Promise<void>;
}

/** Bytes of a RETR/TOP response written to the socket at once (see Pop3Connection.send). */
const CORKED_WRITE_BYTES = 256 * 1024;

/**
 * Writes `data` (nothing when empty) and resolves once the socket has drained, or rejects if it
 * closed first: backpressure for large RETRs.
 */
function write(socket: net.Socket, data: string | Buffer): Promise<void> {
  if (socket.destroyed) return Promise.reject(new Error('connection closed'));
  if (data.length > 0 ? socket.write(data) : !socket.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new Error('connection closed'));
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}

class Pop3Connection {
  private socket: net.Socket;
  private readonly reader: LineReader;
  private readonly queue: LineEvent[] = [];
  private running = false;
  private ended = false;

  constructor(
    private readonly rawSocket: net.Socket,
    private readonly session: Pop3Session,
    private readonly limits: Pop3Limits,
    private readonly tlsProvider: TlsContextProvider,
  ) {
    this.socket = rawSocket;
    this.reader = new LineReader(limits.maxLineBytes);
  }

  /** Implicit TLS wraps the socket at once; the greeting then waits in TLS for the handshake. */
  start(implicitTls: boolean): void {
    // Replies are whole lines or whole bodies: send them now rather than wait for the client's ACK
    // (Nagle), which would stall a pipelining client on every small ".\r\n" terminator.
    this.rawSocket.setNoDelay(true);
    this.rawSocket.setTimeout(this.limits.idleTimeoutMs, () => this.finish(errorReply('autologout')));
    this.rawSocket.on('close', () => this.session.close());
    if (implicitTls) this.wrapInTls();
    else this.listen(this.rawSocket);
    this.socket.write(this.session.greeting());
  }

  private listen(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.resume(); // paused while a PROXY header was read
    socket.on('error', (error) => {
      this.session.logger.debug('connection error', { error: error.message });
      this.rawSocket.destroy();
    });
  }

  private readonly onData = (chunk: Buffer): void => {
    this.queue.push(...this.reader.push(chunk));
    if (this.queue.length > this.limits.maxQueuedLines) this.socket.pause();
    void this.run();
  };

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let event = this.queue.shift(); event !== undefined && !this.ended; event = this.queue.shift()) {
        const step = event.kind === 'line' ? await this.session.handleLine(event.text) : this.session.lineTooLong();
        await this.perform(step);
        if (this.queue.length <= this.limits.maxQueuedLines / 2 && this.socket.isPaused()) this.socket.resume();
      }
    } catch (error) {
      // A write to a closed socket or a blob stream failing mid-body: the response cannot be
      // completed, so the only honest move is to drop the connection.
      this.session.logger.warn('connection aborted', { error });
      this.rawSocket.destroy();
    } finally {
      this.running = false;
    }
  }

  private async perform(step: Pop3Step): Promise<void> {
    await this.send(step.reply);
    if (step.then === 'close') this.finish();
    else if (step.then === 'start-tls') this.startTls();
  }

  private async send(reply: Pop3Reply): Promise<void> {
    if (reply.kind === 'lines') return write(this.socket, reply.text);
    let next: Promise<IteratorResult<Buffer>> | null = null;
    const socket = this.socket;
    // Corked: the +OK line, the body pieces and the ".\r\n" terminator leave in writes of up to
    // CORKED_WRITE_BYTES, each one TLS encryption pass and one syscall, instead of one per piece.
    socket.cork();
    let corkedBytes = reply.head.length;
    try {
      socket.write(reply.head);
      // Read the next piece of the blob while the current one drains to the client: disk (or S3)
      // and network overlap instead of taking turns.
      const pieces = reply.body[Symbol.asyncIterator]();
      next = pieces.next();
      for (let piece = await next; piece.done !== true; piece = await next) {
        next = pieces.next();
        if (socket.destroyed) throw new Error('connection closed');
        socket.write(piece.value);
        corkedBytes += piece.value.length;
        if (corkedBytes >= CORKED_WRITE_BYTES) {
          corkedBytes = 0;
          socket.uncork();
          await write(socket, ''); // backpressure: resolves once the socket has drained
          socket.cork();
        }
      }
    } catch (error) {
      next?.catch(() => undefined); // the read in flight fails once abort() destroys its stream
      reply.abort(); // the blob stream may be open but unread: release it now, not at GC
      throw error;
    } finally {
      socket.uncork();
    }
  }

  /** RFC 2595 §4: TLS starts right after the +OK; bytes pipelined behind STLS are dropped. */
  private startTls(): void {
    this.queue.length = 0;
    this.reader.discardBuffered();
    this.socket.off('data', this.onData);
    this.wrapInTls();
  }

  /** Server-side TLS over the TCP socket, with the provider's current certificate (renewals apply to new handshakes). */
  private wrapInTls(): void {
    const secureSocket = new tls.TLSSocket(this.rawSocket, { isServer: true, ...this.tlsProvider.serverOptions() });
    secureSocket.once('secure', () => this.session.tlsStarted());
    this.socket = secureSocket;
    this.listen(secureSocket);
  }

  private finish(lastWords?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    if (lastWords !== undefined && !this.socket.destroyed) this.socket.write(lastWords);
    this.socket.end();
    // A client that never reads could keep a half-closed socket forever.
    setTimeout(() => this.rawSocket.destroy(), 5_000).unref();
  }
}

export async function startPop3Service(options: Pop3ServiceOptions): Promise<Pop3Service> {
  const limits: Pop3Limits = { ...DEFAULT_POP3_LIMITS, ...options.limits };
  const throttle = options.throttle ?? new AuthThrottle(options.storage.attempts);
  const maildropSessions = new MaildropSessions(limits.maxSessionsPerUser);
  const logger = options.logger.child({ service: 'pop3' });
  const sockets = new Set<net.Socket>();
  const connectionsByIp = new Map<string, number>();

  const accept = async (socket: net.Socket, implicitTls: boolean) => {
    sockets.add(socket);
    let countedIp: string | null = null;
    socket.on('close', () => {
      sockets.delete(socket);
      if (countedIp === null) return;
      const remaining = (connectionsByIp.get(countedIp) ?? 1) - 1;
      if (remaining === 0) connectionsByIp.delete(countedIp);
      else connectionsByIp.set(countedIp, remaining);
    });
    socket.on('error', (error) => logger.debug('connection error', { error: error.message }));
    let clientIp = socket.remoteAddress?.replace(/^::ffff:/, '') ?? 'unknown';
    if (options.config.proxyProtocol === true) {
      try {
        clientIp = (await readProxyV2ClientIp(socket, limits.proxyHeaderTimeoutMs)) ?? clientIp;
      } catch (error) {
        logger.warn('PROXY header refused', { peer: clientIp, reason: (error as Error).message });
        socket.destroy();
        return;
      }
      if (socket.destroyed) return;
    }
    countedIp = clientIp;
    const open = (connectionsByIp.get(clientIp) ?? 0) + 1;
    connectionsByIp.set(clientIp, open);
    if (open > limits.maxConnectionsPerIp) {
      logger.warn('too many connections', { clientIp, open });
      socket.end(errorReply('tooManyConnections'));
      return;
    }
    const environment: Pop3SessionEnvironment = {
      storage: options.storage,
      throttle,
      maildropSessions,
      logger,
      hostname: options.config.hostname,
      clientIp,
      implicitTls,
      stlsAvailable: !implicitTls,
    };
    new Pop3Connection(socket, new Pop3Session(environment), limits, options.tls).start(implicitTls);
  };

  const plainServer = net.createServer((socket) => void accept(socket, false));
  // TLS is started per connection (as for STLS) so that clients without SNI get the current certificate too.
  const tlsServer = net.createServer((socket) => void accept(socket, true));
  const { listenHost, ports } = options.config;
  plainServer.listen(ports.pop3, listenHost);
  tlsServer.listen(ports.pop3s, listenHost);
  await Promise.all([once(plainServer, 'listening'), once(tlsServer, 'listening')]);
  const bound = {
    pop3: (plainServer.address() as net.AddressInfo).port,
    pop3s: (tlsServer.address() as net.AddressInfo).port,
  };
  logger.info('listening', { host: listenHost, ...bound, proxyProtocol: options.config.proxyProtocol === true });

  return {
    activeConnections: () => sockets.size,
    ports: bound,
    async close() {
      const closed = Promise.all([once(plainServer, 'close'), once(tlsServer, 'close')]);
      plainServer.close();
      tlsServer.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
