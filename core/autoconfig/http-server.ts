// The web endpoints' sockets: plain HTTP (YUBIN_AUTOCONFIG_PORT; 80 behind the NLB) and HTTPS
// (YUBIN_HTTPS_PORT; 443 behind the NLB) over the process's one TLS context, each optionally behind a
// PROXY v2 header. One node:http server parses both; what it answers is in web-routes.ts.
// SECURITY: trusts PROXY v2 headers only when `proxyProtocol` is on (the NLB is then the only peer).
// Small limits on everything a client sends (header bytes, body bytes, time, connections); the replies
// hold host names, ports and the MTA-STS policy, never a password or a user's data.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import type { YubinConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { readProxyV2ClientIp } from '../net/read-proxy-header.js';
import type { Directory } from '../ports/index.js';
import type { TlsContextProvider } from '../tls/certificates.js';
import { publicEndpoints, type MailEndpoints } from './mail-endpoints.js';
import { createWebRouter, type WebReply, type WebRequest } from './web-routes.js';

/** An autodiscover request is a few hundred bytes; anything much bigger is not one. */
const MAX_REQUEST_BODY_BYTES = 16 * 1024;
/** Our requests carry a Host and a few headers; 8 KiB is also what most servers allow. */
const MAX_HEADER_BYTES = 8 * 1024;
/** Idle time allowed between bytes of a request (and between keep-alive requests). */
const IDLE_TIMEOUT_MS = 10_000;
/** No fetch of a small document needs longer; this also bounds a slow TLS handshake or drip-fed request. */
const MAX_CONNECTION_MS = 60_000;
/** The NLB sends the PROXY header at once; a client that sends nothing is not the NLB. */
const PROXY_HEADER_TIMEOUT_MS = 5_000;
/** Per listener: document fetches are rare, so more open at once is a flood. */
const MAX_CONNECTIONS = 512;

export interface WebEndpointsOptions {
  readonly config: Pick<
    YubinConfig,
    'backend' | 'hostname' | 'listenHost' | 'ports' | 'autoconfigPort' | 'httpsPort' | 'proxyProtocol' | 'mtaStsMode'
  >;
  readonly logger: Logger;
  /** When given, documents are served only for hosted domains (404 otherwise). */
  readonly directory?: Pick<Directory, 'getDomain'>;
  /**
   * Overrides of what the documents tell clients, e.g. the ports a local process actually bound.
   * Default: publicEndpoints(config), with this listener's own HTTPS port when running locally.
   */
  readonly endpoints?: Partial<MailEndpoints>;
  /** The process's TLS context; without one only plain HTTP listens. */
  readonly tls?: TlsContextProvider | null;
  /** Override the configured ports; 0 picks a free port. */
  readonly ports?: { readonly http?: number; readonly https?: number };
}

export interface WebEndpoints {
  readonly ports: { readonly http: number; readonly https: number | null };
  close(): Promise<void>;
}

async function readBody(request: http.IncomingMessage): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** RFC 9110 §7.2 Host, reduced to a DNS name we can safely echo into a Location header. */
function hostOf(request: http.IncomingMessage): string {
  const name = (request.headers.host ?? '').replace(/:\d+$/u, '').toLowerCase();
  return /^[a-z0-9.-]{1,253}$/u.test(name) ? name : '';
}

export async function startWebEndpoints(options: WebEndpointsOptions): Promise<WebEndpoints> {
  const { config, logger } = options;
  // Built once the HTTPS port is bound (redirects name it); until then requests get a 503.
  let route: ReturnType<typeof createWebRouter> | null = null;
  const clientIps = new WeakMap<net.Socket, string>();

  const parser = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const secure = (request.socket as tls.TLSSocket).encrypted === true;
    const webRequest: WebRequest = {
      method: request.method ?? 'GET',
      url,
      host: hostOf(request),
      secure,
      readBody: () => readBody(request),
    };
    (route ?? (() => Promise.reject(new Error('listener still starting'))))(webRequest)
      .catch((error: unknown): WebReply => {
        logger.error('web request failed', { path: url.pathname, error });
        return { status: 503, contentType: 'text/plain', body: 'temporarily unavailable\n' };
      })
      .then((reply) => {
        const clientIp = clientIps.get(request.socket) ?? request.socket.remoteAddress;
        logger.info('web request', {
          method: request.method,
          host: webRequest.host,
          path: url.pathname,
          secure,
          status: reply.status,
          clientIp,
        });
        response.writeHead(reply.status, { 'content-type': reply.contentType, 'cache-control': 'no-store', ...reply.headers });
        response.end(request.method === 'HEAD' ? undefined : reply.body);
      })
      .catch((error: unknown) => {
        logger.error('web reply failed', { error });
        request.socket.destroy();
      });
  });
  // node:http never listens itself (it is fed sockets), so its own request timers never start:
  // the idle timeout below and the connection lifetime in accept() bound every connection instead.
  parser.timeout = IDLE_TIMEOUT_MS;
  parser.keepAliveTimeout = IDLE_TIMEOUT_MS / 2;

  const open = new Set<net.Socket>();
  const accept = async (raw: net.Socket, overTls: boolean): Promise<void> => {
    open.add(raw);
    raw.on('error', () => undefined); // resets are normal; close cleans up
    const lifetime = setTimeout(() => raw.destroy(), MAX_CONNECTION_MS);
    raw.once('close', () => {
      clearTimeout(lifetime);
      open.delete(raw);
    });
    let clientIp = raw.remoteAddress ?? 'unknown';
    if (config.proxyProtocol) {
      try {
        clientIp = (await readProxyV2ClientIp(raw, PROXY_HEADER_TIMEOUT_MS)) ?? clientIp;
      } catch (error) {
        logger.warn('proxy header rejected', { clientIp, reason: (error as Error).message });
        raw.destroy();
        return;
      }
    }
    let socket: net.Socket = raw;
    if (overTls) {
      const secured = new tls.TLSSocket(raw, { isServer: true, ...options.tls!.serverOptions() });
      secured.on('error', () => raw.destroy());
      raw.resume();
      try {
        await once(secured, 'secure');
      } catch {
        raw.destroy();
        return;
      }
      socket = secured;
    }
    clientIps.set(socket, clientIp);
    parser.emit('connection', socket);
    // Bytes that came with the PROXY header were put back into the paused socket: let them flow to the parser.
    socket.resume();
  };

  const listen = async (port: number, overTls: boolean): Promise<net.Server> => {
    const server = net.createServer((socket) => void accept(socket, overTls));
    server.maxConnections = MAX_CONNECTIONS;
    server.listen(port, config.listenHost);
    await once(server, 'listening');
    return server;
  };
  const portOf = (server: net.Server): number => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  };

  const plain = await listen(options.ports?.http ?? config.autoconfigPort, false);
  const secure = options.tls ? await listen(options.ports?.https ?? config.httpsPort, true) : null;
  const defaults = publicEndpoints(config);
  route = createWebRouter({
    endpoints: { ...defaults, ...(config.backend === 'local' && secure ? { https: portOf(secure) } : {}), ...options.endpoints },
    mtaStsMode: config.mtaStsMode,
    ...(options.directory ? { directory: options.directory } : {}),
  });
  return {
    ports: { http: portOf(plain), https: secure ? portOf(secure) : null },
    async close() {
      const closed = [plain, ...(secure ? [secure] : [])].map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
      for (const socket of open) socket.destroy();
      await Promise.all(closed);
    },
  };
}
