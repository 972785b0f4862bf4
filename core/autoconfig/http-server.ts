// The autoconfig HTTP listener of local mode (on AWS a function URL serves the same documents):
//   GET  /.well-known/autoconfig/mail/config-v1.1.xml, /mail/config-v1.1.xml   Thunderbird
//   POST /autodiscover/autodiscover.xml (and /Autodiscover/Autodiscover.xml)  Outlook
//   GET  /apple/yubin.mobileconfig?email=ADDRESS                              Apple Mail
// SECURITY: answers only for hosted domains (when given a Directory), reads at most 16 KiB of a
// request body, and reveals nothing but server names and ports. No passwords pass through here.
import http from 'node:http';
import { once } from 'node:events';
import type { YubinConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { normalizeAddress, domainOf } from '../mail/address.js';
import type { Directory } from '../ports/index.js';
import { autodiscoverRequestAddress, autodiscoverResponse } from './autodiscover.js';
import type { MailEndpoints } from './mail-endpoints.js';
import { appleMobileconfig } from './mobileconfig.js';
import { thunderbirdConfig } from './thunderbird.js';

/** An autodiscover request is a few hundred bytes; anything much bigger is not one. */
const MAX_REQUEST_BODY_BYTES = 16 * 1024;

export interface AutoconfigHttpOptions {
  readonly config: Pick<YubinConfig, 'hostname' | 'listenHost' | 'ports' | 'autoconfigPort'>;
  readonly logger: Logger;
  /** When given, documents are served only for hosted domains (404 otherwise). */
  readonly directory?: Pick<Directory, 'getDomain'>;
  /** Defaults to the configured host name and TLS ports of this process's listeners. */
  readonly endpoints?: MailEndpoints;
  /** Overrides config.autoconfigPort; 0 picks a free port. */
  readonly port?: number;
}

export interface AutoconfigHttp {
  readonly port: number;
  close(): Promise<void>;
}

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const notFound = (why: string): Reply => ({ status: 404, contentType: 'text/plain; charset=utf-8', body: `${why}\n` });

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

/** The domain asked about: from the address when there is one, else from `Host: autoconfig.DOMAIN`. */
function domainFromRequest(address: string | null, host: string | undefined): string | null {
  if (address !== null) return domainOf(address);
  const name = (host ?? '').replace(/:\d+$/u, '').toLowerCase();
  const match = /^(?:autoconfig|autodiscover)\.(.+)$/u.exec(name);
  return match?.[1] ?? (name.includes('.') ? name : null);
}

export async function startAutoconfigHttp(options: AutoconfigHttpOptions): Promise<AutoconfigHttp> {
  const { config } = options;
  const endpoints: MailEndpoints = options.endpoints ?? {
    hostname: config.hostname,
    imaps: config.ports.imaps,
    pop3s: config.ports.pop3s,
    submission: config.ports.submission,
    submissions: config.ports.submissions,
  };

  const hosted = async (domain: string | null): Promise<boolean> =>
    domain !== null && (!options.directory || (await options.directory.getDomain(domain)) !== null);

  const route = async (request: http.IncomingMessage, url: URL): Promise<Reply> => {
    const path = url.pathname.toLowerCase();
    if (path === '/.well-known/autoconfig/mail/config-v1.1.xml' || path === '/mail/config-v1.1.xml') {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return { status: 405, contentType: 'text/plain', body: 'GET only\n', headers: { allow: 'GET, HEAD' } };
      const address = normalizeAddress(url.searchParams.get('emailaddress') ?? '');
      const domain = domainFromRequest(address, request.headers.host);
      if (!(await hosted(domain))) return notFound('no mail service for this domain here');
      return { status: 200, contentType: 'application/xml; charset=utf-8', body: thunderbirdConfig(domain!, endpoints) };
    }
    if (path === '/autodiscover/autodiscover.xml') {
      if (request.method !== 'POST')
        return { status: 405, contentType: 'text/plain', body: 'POST an autodiscover request\n', headers: { allow: 'POST' } };
      const body = await readBody(request);
      if (body === null) return { status: 413, contentType: 'text/plain', body: 'request too large\n' };
      const address = normalizeAddress(autodiscoverRequestAddress(body) ?? '');
      if (address === null) return { status: 400, contentType: 'text/plain', body: 'no EMailAddress in the request\n' };
      if (!(await hosted(domainOf(address)))) return notFound('no mail service for this domain here');
      return { status: 200, contentType: 'application/xml; charset=utf-8', body: autodiscoverResponse(address, endpoints) };
    }
    if (path === '/apple/yubin.mobileconfig') {
      const address = normalizeAddress(url.searchParams.get('email') ?? '');
      if (address === null) return { status: 400, contentType: 'text/plain', body: 'add ?email=ADDRESS\n' };
      if (!(await hosted(domainOf(address)))) return notFound('no mail service for this domain here');
      return {
        status: 200,
        contentType: 'application/x-apple-aspen-config',
        body: appleMobileconfig(address, endpoints),
        headers: { 'content-disposition': 'attachment; filename="yubin.mobileconfig"' },
      };
    }
    return notFound('not found');
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    route(request, url)
      .catch((error: unknown): Reply => {
        options.logger.error('autoconfig request failed', { path: url.pathname, error });
        return { status: 503, contentType: 'text/plain', body: 'temporarily unavailable\n' };
      })
      .then((reply) => {
        options.logger.info('autoconfig request', { method: request.method, path: url.pathname, status: reply.status });
        response.writeHead(reply.status, { 'content-type': reply.contentType, 'cache-control': 'no-store', ...reply.headers });
        response.end(request.method === 'HEAD' ? undefined : reply.body);
      });
  });
  server.requestTimeout = 10_000;
  server.listen(options.port ?? config.autoconfigPort, config.listenHost);
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
