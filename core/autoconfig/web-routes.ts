// What the web endpoints answer, socket-free: a request (method, URL, Host, whether it came over TLS)
// in, a reply out. http-server.ts owns the sockets. One table of routes:
//   GET  /.well-known/autoconfig/mail/config-v1.1.xml, /mail/config-v1.1.xml   Thunderbird (HTTP and HTTPS)
//   POST /autodiscover/autodiscover.xml                                       Outlook (HTTPS)
//   GET  /apple/yubin.mobileconfig?email=ADDRESS                              Apple Mail (HTTPS)
//   GET  /.well-known/mta-sts.txt on host mta-sts.DOMAIN                      MTA-STS policy (HTTPS, RFC 8461 §3.3)
// Over plain HTTP only Thunderbird's document is served (it asks http://autoconfig.DOMAIN first);
// the other routes redirect to HTTPS. Everything answers only for hosted domains.
import type { MtaStsMode } from '../config/index.js';
import { domainOf, normalizeAddress } from '../mail/address.js';
import type { Directory } from '../ports/index.js';
import { autodiscoverRequestAddress, autodiscoverResponse } from './autodiscover.js';
import type { MailEndpoints } from './mail-endpoints.js';
import { appleMobileconfig } from './mobileconfig.js';
import { MTA_STS_POLICY_PATH, mtaStsPolicyText } from './mta-sts-policy.js';
import { thunderbirdConfig } from './thunderbird.js';

export interface WebRequest {
  readonly method: string;
  /** Path and query of the request (the origin is irrelevant). */
  readonly url: URL;
  /** The Host header, lower case, without a port; '' when absent. */
  readonly host: string;
  /** Arrived over TLS. */
  readonly secure: boolean;
  /** The request body as text, or null when it is larger than the listener allows. */
  readBody(): Promise<string | null>;
}

export interface WebReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface WebRoutesOptions {
  readonly endpoints: MailEndpoints;
  readonly mtaStsMode: MtaStsMode;
  /** When given, documents are served only for hosted domains (404 otherwise). */
  readonly directory?: Pick<Directory, 'getDomain'>;
}

type Handler = (request: WebRequest) => Promise<WebReply>;

interface Route {
  readonly paths: readonly string[];
  /** Served over plain HTTP too; otherwise plain HTTP gets a redirect to HTTPS. */
  readonly plainHttp: boolean;
  readonly handle: Handler;
}

const text = (status: number, body: string, headers?: Record<string, string>): WebReply => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: `${body}\n`,
  ...(headers ? { headers } : {}),
});
const NOT_HOSTED = text(404, 'no mail service for this domain here');
const methodNotAllowed = (allow: string): WebReply => text(405, `use ${allow}`, { allow });

/** The domain named by `Host: PREFIX.DOMAIN` for one of the service prefixes, or null. */
function domainUnderPrefix(host: string, prefixes: readonly string[]): string | null {
  for (const prefix of prefixes) if (host.startsWith(`${prefix}.`) && host.length > prefix.length + 1) return host.slice(prefix.length + 1);
  return null;
}

const SERVICE_PREFIXES = ['autoconfig', 'autodiscover', 'mta-sts'] as const;

export function createWebRouter(options: WebRoutesOptions): (request: WebRequest) => Promise<WebReply> {
  const { endpoints } = options;
  const mailHost = endpoints.hostname.toLowerCase();
  const hosted = async (domain: string | null): Promise<boolean> =>
    domain !== null && (!options.directory || (await options.directory.getDomain(domain)) !== null);

  const thunderbird: Handler = async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
    const address = normalizeAddress(request.url.searchParams.get('emailaddress') ?? '');
    // Thunderbird asks http://autoconfig.DOMAIN/…: without an address the domain comes from Host.
    const domain =
      address !== null
        ? domainOf(address)
        : (domainUnderPrefix(request.host, ['autoconfig']) ?? (request.host.includes('.') ? request.host : null));
    if (!(await hosted(domain))) return NOT_HOSTED;
    return { status: 200, contentType: 'application/xml; charset=utf-8', body: thunderbirdConfig(domain!, endpoints) };
  };

  const autodiscover: Handler = async (request) => {
    if (request.method !== 'POST') return methodNotAllowed('POST');
    const body = await request.readBody();
    if (body === null) return text(413, 'request too large');
    const address = normalizeAddress(autodiscoverRequestAddress(body) ?? '');
    if (address === null) return text(400, 'no EMailAddress in the request');
    if (!(await hosted(domainOf(address)))) return NOT_HOSTED;
    return { status: 200, contentType: 'application/xml; charset=utf-8', body: autodiscoverResponse(address, endpoints) };
  };

  const mobileconfig: Handler = async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
    const address = normalizeAddress(request.url.searchParams.get('email') ?? '');
    if (address === null) return text(400, 'add ?email=ADDRESS');
    if (!(await hosted(domainOf(address)))) return NOT_HOSTED;
    return {
      status: 200,
      contentType: 'application/x-apple-aspen-config',
      body: appleMobileconfig(address, endpoints),
      headers: { 'content-disposition': 'attachment; filename="yubin.mobileconfig"' },
    };
  };

  // RFC 8461 §3.3: only on host mta-sts.DOMAIN, as text/plain, never a redirect (senders must not follow one).
  const mtaSts: Handler = async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
    if (!(await hosted(domainUnderPrefix(request.host, ['mta-sts'])))) return NOT_HOSTED;
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: mtaStsPolicyText(mailHost, options.mtaStsMode) };
  };

  const routes: readonly Route[] = [
    { paths: ['/.well-known/autoconfig/mail/config-v1.1.xml', '/mail/config-v1.1.xml'], plainHttp: true, handle: thunderbird },
    { paths: ['/autodiscover/autodiscover.xml'], plainHttp: false, handle: autodiscover },
    { paths: ['/apple/yubin.mobileconfig'], plainHttp: false, handle: mobileconfig },
    { paths: [MTA_STS_POLICY_PATH], plainHttp: false, handle: mtaSts },
  ];

  /** Plain HTTP → the same URL over HTTPS, for names this deployment answers to (no open redirect). */
  const redirectToHttps = async (request: WebRequest): Promise<WebReply> => {
    const ours = request.host === mailHost || (await hosted(domainUnderPrefix(request.host, SERVICE_PREFIXES)));
    if (!ours) return NOT_HOSTED;
    const port = endpoints.https === 443 ? '' : `:${endpoints.https}`;
    const location = `https://${request.host}${port}${request.url.pathname}${request.url.search}`;
    // 308 keeps the method and body of an autodiscover POST (RFC 9110 §15.4.9); GETs get the classic 301.
    const status = request.method === 'GET' || request.method === 'HEAD' ? 301 : 308;
    return text(status, `moved to ${location}`, { location });
  };

  return async (request) => {
    const path = request.url.pathname.toLowerCase();
    const route = routes.find((candidate) => candidate.paths.includes(path));
    if (route === undefined) return text(404, 'not found');
    if (!request.secure && !route.plainHttp) return redirectToHttps(request);
    return route.handle(request);
  };
}
