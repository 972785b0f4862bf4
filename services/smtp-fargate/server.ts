// SECURITY: the network shell, and the only file touching net, tls and PROXY headers. It trusts
// nothing a client sends: bytes go to the sans-IO session, which answers with replies. It trusts a
// PROXY v2 header only on listeners configured for it (behind the NLB), and nothing else about
// the peer. It may touch: sockets, the TLS context, and (through the session) the storage ports.
import net from 'node:net';
import tls from 'node:tls';
import { authenticate } from '../../core/auth/authenticate.js';
import { AuthThrottle } from '../../core/auth/auth-throttle.js';
import type { Logger } from '../../core/log/logger.js';
import { randomHex } from '../../core/mail/random-hex.js';
import type { Storage } from '../../core/ports/index.js';
import type { TlsContextProvider } from '../../core/tls/certificates.js';
import { buildSmtpPolicy, DEFAULT_CONNECTION_RATE, DEFAULT_MESSAGE_RATE, type PolicyOptions } from './policy/default-policy.js';
import type { ListenerKind } from './policy/verdict.js';
import { readProxyV2ClientIp } from '../../core/net/read-proxy-header.js';
import { formatReply, type SmtpReply } from './protocol/reply.js';
import { replies } from './session/replies.js';
import { SmtpSession, type SessionOutput } from './session/session.js';
import { DEFAULT_SMTP_LIMITS, type SmtpLimits, type SmtpSessionDeps } from './session/types.js';
import { StorageMessageSpool } from './spool/storage-spool.js';

/** The part of YubinConfig this service reads (structural, so the config object itself fits). */
export interface SmtpServiceConfig {
  readonly hostname: string;
  readonly listenHost: string;
  readonly ports: { readonly smtp: number; readonly submission: number; readonly submissions: number };
  readonly maxMessageBytes: number;
}

export interface ConnectionLimits {
  readonly maxConnections: number;
  /** Concurrent connections per client IP → 421 4.7.0 beyond. */
  readonly maxConnectionsPerIp: number;
  /** RFC 5321 §4.5.3.2.7: a server waits at least 5 minutes for the next command. */
  readonly idleTimeoutMs: number;
  /** The NLB sends its header at once; a peer that does not is not the NLB. */
  readonly proxyHeaderTimeoutMs: number;
  /** How long close() lets sessions finish a message before cutting them off. */
  readonly drainTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 2_000,
  maxConnectionsPerIp: 50,
  idleTimeoutMs: 300_000,
  proxyHeaderTimeoutMs: 10_000,
  drainTimeoutMs: 30_000,
};

export interface SmtpServiceOptions {
  readonly storage: Storage;
  readonly config: SmtpServiceConfig;
  readonly logger: Logger;
  /** null: no STARTTLS and no submissions listener (so no AUTH either). */
  readonly tls: TlsContextProvider | null;
  /** Expect a PROXY v2 header on every connection (behind the AWS NLB). */
  readonly proxyProtocol?: boolean;
  readonly limits?: Partial<SmtpLimits>;
  readonly connections?: Partial<ConnectionLimits>;
  readonly policy?: Partial<Pick<PolicyOptions, 'connectionRate' | 'messageRate' | 'dnsblZones' | 'resolveA' | 'spf'>>;
  readonly authThrottle?: AuthThrottle;
}

export interface SmtpService {
  readonly ports: { readonly smtp: number; readonly submission: number; readonly submissions: number | null };
  /** Open client connections: the autoscaling metric (core/log/metrics.ts). */
  activeConnections(): number;
  /** Stops accepting, lets sessions finish their message (421 to idle ones), then closes. */
  close(): Promise<void>;
}

interface ServiceContext {
  readonly deps: SmtpSessionDeps;
  readonly limits: ConnectionLimits;
  readonly tls: TlsContextProvider | null;
  readonly proxyProtocol: boolean;
  readonly perIp: Map<string, number>;
  readonly open: Set<Connection>;
  draining: boolean;
}

/** After a final reply, how long a peer gets to read it before the socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;

function newMessageId(): string {
  return `${Date.now().toString(36)}${randomHex(5)}`.toUpperCase();
}

class Connection {
  private socket: net.Socket;
  private session: SmtpSession | null = null;
  private busy = false;
  private clientIp: string;
  private countedIp: string | null = null;
  readonly closed: Promise<void>;

  constructor(
    private readonly raw: net.Socket,
    private readonly listener: ListenerKind,
    private readonly implicitTls: boolean,
    private readonly service: ServiceContext,
  ) {
    this.socket = raw;
    this.clientIp = raw.remoteAddress?.replace(/^::ffff:/u, '') ?? 'unknown';
    this.closed = new Promise((resolve) => raw.once('close', () => resolve()));
    raw.once('close', () => void this.onClose());
    raw.on('error', (error) => service.deps.logger.debug('socket error', { error: error.message }));
    raw.setTimeout(service.limits.idleTimeoutMs, () => this.onTimeout());
  }

  start(): void {
    if (!this.service.proxyProtocol) return void this.begin();
    readProxyV2ClientIp(this.raw, this.service.limits.proxyHeaderTimeoutMs).then(
      (clientIp) => {
        if (clientIp !== null) this.clientIp = clientIp;
        void this.begin();
      },
      (error: Error) => {
        this.service.deps.logger.warn('PROXY header refused', { peer: this.clientIp, reason: error.message });
        this.raw.destroy();
      },
    );
  }

  /** Called by close(): idle sessions get 421 now, busy ones after their current message. */
  drain(): void {
    if (!this.busy && this.session?.receivingMessage !== true) this.hangUp(replies.shuttingDown(this.service.deps.hostname));
  }

  destroy(): void {
    this.raw.destroy();
  }

  /** The socket is paused here; bytes that came with the PROXY header wait in it, unshifted. */
  private async begin(): Promise<void> {
    const { service } = this;
    const ipCount = service.perIp.get(this.clientIp) ?? 0;
    if (ipCount >= service.limits.maxConnectionsPerIp || service.open.size > service.limits.maxConnections) {
      return this.hangUp(replies.tooManyConnections());
    }
    service.perIp.set(this.clientIp, ipCount + 1);
    this.countedIp = this.clientIp;
    if (this.implicitTls && !(await this.upgradeToTls())) return;
    const log = service.deps.logger.child({ connection: newMessageId(), ip: this.clientIp, listener: this.listener });
    const tlsAvailable = service.tls !== null && !this.implicitTls;
    this.session = new SmtpSession(service.deps, { listener: this.listener, clientIp: this.clientIp, tls: this.implicitTls, startTlsAvailable: tlsAvailable }, log);
    this.socket.on('data', (chunk: Buffer) => void this.receive(chunk));
    const greeting = await this.session.greet();
    this.act(greeting);
    // Only now: commands pipelined with the PROXY header are read after the greeting is written.
    if (!this.session.closed) this.socket.resume();
  }

  private async receive(chunk: Buffer): Promise<void> {
    const session = this.session;
    if (session === null) return;
    this.socket.pause();
    this.busy = true;
    let output: SessionOutput;
    try {
      output = await session.receive(chunk);
    } catch (error) {
      this.service.deps.logger.error('session failed', { error });
      output = { replies: [replies.localError()], action: 'close' };
    }
    this.busy = false;
    this.act(output);
  }

  private act(output: SessionOutput): void {
    if (output.action === 'close') return this.hangUp(...output.replies);
    this.write(output.replies);
    if (output.action === 'starttls') return void this.startTls();
    if (this.service.draining && this.session?.receivingMessage !== true) return this.hangUp(replies.shuttingDown(this.service.deps.hostname));
    this.socket.resume();
  }

  private async startTls(): Promise<void> {
    this.socket.removeAllListeners('data');
    if (!(await this.upgradeToTls())) return;
    this.session?.tlsEstablished();
    this.socket.on('data', (chunk: Buffer) => void this.receive(chunk));
    this.socket.resume();
  }

  /** Wraps the TCP socket in TLS (server side); false when the handshake failed. */
  private upgradeToTls(): Promise<boolean> {
    const provider = this.service.tls;
    if (provider === null) return Promise.resolve(false);
    const secure = new tls.TLSSocket(this.raw, { isServer: true, ...provider.serverOptions() });
    this.socket = secure;
    return new Promise((resolve) => {
      secure.once('secure', () => resolve(true));
      secure.once('error', (error) => {
        this.service.deps.logger.debug('TLS handshake failed', { ip: this.clientIp, error: error.message });
        this.raw.destroy();
        resolve(false);
      });
    });
  }

  private write(list: readonly SmtpReply[]): void {
    if (list.length > 0 && !this.socket.destroyed) this.socket.write(list.map(formatReply).join(''));
  }

  private hangUp(...list: SmtpReply[]): void {
    this.write(list);
    this.socket.end();
    void this.session?.abort();
  }

  private onTimeout(): void {
    this.hangUp(replies.timeout(this.service.deps.hostname));
    // A peer that stopped reading must not hold the socket open: give the 421 a moment, then cut.
    setTimeout(() => this.raw.destroy(), CLOSE_GRACE_MS).unref();
  }

  private async onClose(): Promise<void> {
    this.service.open.delete(this);
    if (this.countedIp !== null) {
      const left = (this.service.perIp.get(this.countedIp) ?? 1) - 1;
      if (left <= 0) this.service.perIp.delete(this.countedIp);
      else this.service.perIp.set(this.countedIp, left);
    }
    await this.session?.abort(); // a client gone mid-DATA leaves nothing behind
  }
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

export async function startSmtpService(options: SmtpServiceOptions): Promise<SmtpService> {
  const { storage, config, logger } = options;
  const limits: SmtpLimits = { ...DEFAULT_SMTP_LIMITS, maxMessageBytes: config.maxMessageBytes, ...options.limits };
  const throttle = options.authThrottle ?? new AuthThrottle(storage.attempts);
  const policy = buildSmtpPolicy({
    directory: storage.directory,
    mailIndex: storage.mailIndex,
    hostname: config.hostname,
    maxMessageBytes: limits.maxMessageBytes,
    connectionRate: DEFAULT_CONNECTION_RATE,
    messageRate: DEFAULT_MESSAGE_RATE,
    dnsblZones: [],
    ...options.policy,
  });
  if (options.tls !== null) await options.tls.refresh().then(() => undefined);
  const service: ServiceContext = {
    deps: {
      hostname: config.hostname,
      limits,
      policy,
      spool: new StorageMessageSpool(storage, logger),
      authenticate: (attempt) => authenticate(storage.directory, throttle, attempt),
      logger,
      newMessageId,
      now: () => new Date(),
    },
    limits: { ...DEFAULT_CONNECTION_LIMITS, ...options.connections },
    tls: options.tls,
    proxyProtocol: options.proxyProtocol ?? false,
    perIp: new Map(),
    open: new Set(),
    draining: false,
  };
  const servers: net.Server[] = [];
  const open = async (kind: ListenerKind, port: number, implicitTls: boolean): Promise<number> => {
    const server = net.createServer({ pauseOnConnect: true }, (socket) => {
      const connection = new Connection(socket, kind, implicitTls, service);
      service.open.add(connection);
      connection.start();
    });
    servers.push(server);
    return listen(server, port, config.listenHost);
  };
  const ports = {
    smtp: await open('mx', config.ports.smtp, false),
    submission: await open('submission', config.ports.submission, false),
    submissions: options.tls === null ? null : await open('submissions', config.ports.submissions, true),
  };
  logger.info('smtp listening', { ports, proxyProtocol: service.proxyProtocol });

  return {
    ports,
    activeConnections: () => service.open.size,
    async close() {
      service.draining = true;
      const stopped = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      for (const connection of service.open) connection.drain();
      const drained = Promise.all([...service.open].map((c) => c.closed));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), service.limits.drainTimeoutMs)));
      if ((await Promise.race([drained, deadline])) === 'timeout') for (const connection of service.open) connection.destroy();
      clearTimeout(timer);
      await stopped;
    },
  };
}
