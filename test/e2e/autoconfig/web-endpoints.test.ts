// The mail access service's web endpoints over real sockets, with real clients: curl and node's own
// https/fetch verifying a test CA's certificate, directly and through a PROXY v2 relay standing in for
// the NLB. The MTA-STS policy is checked line by line against RFC 8461 §3.2 and against the id
// `yubin dns` publishes for it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publicEndpoints } from '../../../core/autoconfig/mail-endpoints.js';
import { MTA_STS_POLICY_PATH, mtaStsPolicyId } from '../../../core/autoconfig/mta-sts-policy.js';
import { openLocalStorage } from '../../../core/adapters/local/open-local-storage.js';
import { domainRecords } from '../../../core/cli/dns/dns-records.js';
import { loadConfig, type YubinConfig } from '../../../core/config/index.js';
import { createLogger } from '../../../core/log/logger.js';
import type { Storage } from '../../../core/ports/index.js';
import { StaticCertificateSource, TlsContextProvider } from '../../../core/tls/certificates.js';
import { startMailAccess, type MailAccessService } from '../../../services/imap-fargate/main.js';
import { proxyV2Header, startProxyV2Relay, type ProxyRelay } from '../../support/nlb-stand-in.js';
import { createTestCa, type TestCa } from '../../support/test-ca.js';

const NAMES = ['mail.example.test', 'mta-sts.example.test', 'autoconfig.example.test', 'autodiscover.example.test'];
let ca: TestCa;
let dataDir: string;
let storage: Storage;
let direct: MailAccessService;
let behindNlb: MailAccessService;
let relay: ProxyRelay;
let config: YubinConfig;
const logLines: Record<string, unknown>[] = [];

function configWith(extra: Record<string, string>): YubinConfig {
  const ports = ['IMAP', 'IMAPS', 'POP3', 'POP3S', 'AUTOCONFIG', 'HTTPS'].map((name) => [`YUBIN_${name}_PORT`, '0']);
  return loadConfig({ ...Object.fromEntries(ports), YUBIN_HOSTNAME: 'mail.example.test', YUBIN_DATA_DIR: dataDir, ...extra });
}

before(async () => {
  ca = createTestCa(NAMES);
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-web-'));
  storage = await openLocalStorage({ dataDir });
  await storage.directory.addDomain('example.test');
  const tls = new TlsContextProvider(new StaticCertificateSource({ keyPem: ca.keyPem, certPem: ca.certPem }));
  await tls.refresh();
  const logger = createLogger({ write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) });
  config = configWith({});
  direct = await startMailAccess(storage, config, logger, tls);
  behindNlb = await startMailAccess(storage, configWith({ YUBIN_PROXY_PROTOCOL: '1' }), logger, tls);
  relay = await startProxyV2Relay(behindNlb.ports.https!, '203.0.113.7');
});

after(async () => {
  await relay.close();
  await Promise.all([direct.close(), behindNlb.close()]);
  await storage.close();
  await rm(dataDir, { recursive: true, force: true });
  ca.remove();
});

interface HttpResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Runs a client process without blocking this one (the server under test lives in this process). */
async function run(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code: code ?? -1, stdout, stderr };
}

/** curl with the test CA, resolving the deployment's names to 127.0.0.1 on the given ports; follows no redirect unless -L is given. */
async function curl(url: string, ports: readonly number[], ...extra: string[]): Promise<HttpResult & { redirects: number }> {
  const resolve = ports.flatMap((port) =>
    NAMES.concat('mta-sts.elsewhere.test').flatMap((name) => ['--resolve', `${name}:${port}:127.0.0.1`]),
  );
  const result = await run('curl', [
    '-sS',
    '--max-time',
    '30',
    '--cacert',
    ca.caPath,
    ...resolve,
    '-D',
    '-',
    '-w',
    '\n%{num_redirects}',
    ...extra,
    url,
  ]);
  assert.equal(result.code, 0, `curl ${url}: ${result.stderr}`);
  // With -L every hop prints its header block; the last one belongs to the body.
  const blocks = result.stdout.split('\r\n\r\n');
  const tail = blocks.pop()!;
  const head = blocks.pop()!;
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const cut = tail.lastIndexOf('\n');
  return { status: Number(statusLine!.split(' ')[1]), headers, body: tail.slice(0, cut), redirects: Number(tail.slice(cut + 1)) };
}

/** Node's own fetch in a child process that trusts the test CA (NODE_EXTRA_CA_CERTS is read at start-up). */
async function fetchTrusting(url: string, init: { method?: string; body?: string; redirect?: 'manual' } = {}): Promise<HttpResult> {
  const script = `const r = await fetch(${JSON.stringify(url)}, ${JSON.stringify(init)});
process.stdout.write(JSON.stringify({ status: r.status, headers: Object.fromEntries(r.headers), body: await r.text() }));`;
  const result = await run(process.execPath, ['--input-type=module', '-e', script], { NODE_EXTRA_CA_CERTS: ca.caPath });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as HttpResult;
}

/** node:https with SNI and Host set as a sending MTA's policy fetcher sets them (RFC 8461 §3.3). */
function httpsGet(port: number, host: string, urlPath: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const request = https.get({ host: '127.0.0.1', port, path: urlPath, servername: host, headers: { host }, ca: ca.caPem }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers as Record<string, string>, body }));
    });
    request.on('error', reject);
  });
}

/** RFC 8461 §3.2, line by line: CRLF-terminated `key: value` lines, each required field once. */
function parsePolicy(body: string): Map<string, string[]> {
  assert.ok(body.endsWith('\r\n'), 'the last line ends in CRLF');
  const fields = new Map<string, string[]>();
  for (const line of body.slice(0, -2).split('\r\n')) {
    const match = /^([a-z_]+): ([\x21-\x7e]+)$/u.exec(line);
    assert.ok(match, `policy line ${JSON.stringify(line)}`);
    fields.set(match[1]!, [...(fields.get(match[1]!) ?? []), match[2]!]);
  }
  assert.deepEqual(fields.get('version'), ['STSv1']);
  assert.equal(fields.get('mode')?.length, 1);
  assert.ok(['enforce', 'testing', 'none'].includes(fields.get('mode')![0]!));
  assert.equal(fields.get('max_age')?.length, 1);
  const maxAge = Number(fields.get('max_age')![0]);
  assert.ok(Number.isInteger(maxAge) && maxAge >= 86_400 && maxAge <= 31_557_600, 'max_age within RFC 8461 limits, at least a day');
  assert.deepEqual([...fields.keys()].sort(), ['max_age', 'mode', 'mx', 'version']);
  return fields;
}

test('HTTPS serves the MTA-STS policy on mta-sts.DOMAIN, with the id `yubin dns` publishes', async () => {
  const viaCurl = await curl(`https://mta-sts.example.test:${direct.ports.https}${MTA_STS_POLICY_PATH}`, [direct.ports.https!]);
  assert.equal(viaCurl.status, 200);
  assert.match(viaCurl.headers['content-type']!, /^text\/plain/u);
  const policy = parsePolicy(viaCurl.body);
  assert.deepEqual(policy.get('mode'), ['enforce']);
  assert.deepEqual(policy.get('mx'), ['mail.example.test']);

  const viaNode = await httpsGet(direct.ports.https!, 'mta-sts.example.test', MTA_STS_POLICY_PATH);
  assert.equal(viaNode.body, viaCurl.body);

  const deployment = {
    endpoints: publicEndpoints(config),
    publicAddresses: [],
    egress: 'sink' as const,
    maxMessageBytes: 1,
    mtaStsMode: config.mtaStsMode,
    housekeeping: config.housekeeping,
  };
  const txt = domainRecords({ domain: 'example.test', deployment, dkimKey: null }).records.find((r) => r.name === '_mta-sts.example.test');
  assert.equal(txt?.type === 'TXT' && txt.text, `v=STSv1; id=${mtaStsPolicyId(viaCurl.body)}`);
  const testing = domainRecords({ domain: 'example.test', deployment: { ...deployment, mtaStsMode: 'testing' }, dkimKey: null });
  assert.notDeepEqual(
    testing.records.find((r) => r.name === '_mta-sts.example.test'),
    txt,
    'a new policy gets a new id',
  );
});

test('unhosted domains and other names get 404; plain HTTP redirects the policy to HTTPS', async () => {
  // The test certificate does not cover elsewhere.test: -k, the status is what matters here.
  const foreign = await curl(`https://mta-sts.elsewhere.test:${direct.ports.https}${MTA_STS_POLICY_PATH}`, [direct.ports.https!], '-k');
  assert.equal(foreign.status, 404);
  assert.equal((await httpsGet(direct.ports.https!, 'mail.example.test', MTA_STS_POLICY_PATH)).status, 404);

  const ports = [direct.ports.http, direct.ports.https!];
  const redirected = await curl(`http://mta-sts.example.test:${direct.ports.http}${MTA_STS_POLICY_PATH}`, ports, '-L');
  assert.equal(redirected.redirects, 1);
  assert.equal(redirected.status, 200);
  parsePolicy(redirected.body);
  const first = await curl(`http://mta-sts.example.test:${direct.ports.http}${MTA_STS_POLICY_PATH}`, ports);
  assert.equal(first.status, 301);
  assert.equal(first.headers.location, `https://mta-sts.example.test:${direct.ports.https}${MTA_STS_POLICY_PATH}`);
  assert.equal((await curl(`http://mta-sts.elsewhere.test:${direct.ports.http}${MTA_STS_POLICY_PATH}`, ports)).status, 404);
});

test('autoconfig over HTTP and HTTPS with Node fetch; autodiscover only over HTTPS', async () => {
  const query = '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40example.test';
  const plain = await fetch(`http://127.0.0.1:${direct.ports.http}${query}`);
  assert.equal(plain.status, 200);
  const xml = await plain.text();
  assert.match(xml, new RegExp(`<incomingServer type="imap">[\\s\\S]*?<port>${direct.ports.imaps}</port>`, 'u'));
  const secure = await fetchTrusting(`https://127.0.0.1:${direct.ports.https}${query}`);
  assert.equal(secure.status, 200);
  assert.equal(secure.body, xml);
  const foreign = await fetchTrusting(`https://127.0.0.1:${direct.ports.https}${query.replace('example.test', 'elsewhere.test')}`);
  assert.equal(foreign.status, 404);

  const request = '<Autodiscover><Request><EMailAddress>alice@example.test</EMailAddress></Request></Autodiscover>';
  const discovered = await fetchTrusting(`https://127.0.0.1:${direct.ports.https}/autodiscover/autodiscover.xml`, {
    method: 'POST',
    body: request,
  });
  assert.equal(discovered.status, 200);
  assert.match(discovered.body, new RegExp(`<Type>IMAP</Type>[\\s\\S]*?<Port>${direct.ports.imaps}</Port>`, 'u'));
  // Over plain HTTP the POST is sent on to HTTPS with its method and body kept (308); curl -L follows it.
  const ports = [direct.ports.http, direct.ports.https!];
  const url = `http://autodiscover.example.test:${direct.ports.http}/autodiscover/autodiscover.xml`;
  const moved = await curl(url, ports, '--data-binary', request);
  assert.equal(moved.status, 308);
  assert.equal(moved.headers.location, `https://autodiscover.example.test:${direct.ports.https}/autodiscover/autodiscover.xml`);
  const followed = await curl(url, ports, '--data-binary', request, '-L');
  assert.equal(followed.status, 200);
  assert.equal(followed.body, discovered.body);
});

test('request limits: oversized headers are refused, and the service keeps serving', async () => {
  const socket = net.connect(direct.ports.http, '127.0.0.1');
  socket.end(`GET /mail/config-v1.1.xml HTTP/1.1\r\nHost: autoconfig.example.test\r\nX-Padding: ${'a'.repeat(16 * 1024)}\r\n\r\n`);
  let reply = '';
  socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
  await once(socket, 'close');
  assert.match(reply, /^HTTP\/1\.1 431 /u);
  assert.equal((await httpsGet(direct.ports.https!, 'mta-sts.example.test', MTA_STS_POLICY_PATH)).status, 200);
});

test('behind the NLB: PROXY v2 is read first and the client address logged; no header, no answer', async () => {
  const through = await curl(`https://mta-sts.example.test:${relay.port}${MTA_STS_POLICY_PATH}`, [relay.port]);
  assert.equal(through.status, 200);
  parsePolicy(through.body);
  const logged = logLines.filter((line) => line.msg === 'web request' && line.clientIp === '203.0.113.7');
  assert.ok(
    logged.some((line) => line.host === 'mta-sts.example.test' && line.status === 200 && line.secure === true),
    'logged with the PROXY source',
  );

  // Straight to the task, without the header the NLB adds: the connection is dropped unanswered.
  const bare = await run('curl', ['-sS', '--max-time', '30', '-k', `https://127.0.0.1:${behindNlb.ports.https}${MTA_STS_POLICY_PATH}`]);
  assert.notEqual(bare.code, 0);

  // The NLB's health check: a LOCAL header (no addresses); here followed by a request in the same segment.
  const socket = net.connect(behindNlb.ports.http, '127.0.0.1');
  socket.end(
    Buffer.concat([
      proxyV2Header('LOCAL'),
      Buffer.from(
        'GET /mail/config-v1.1.xml?emailaddress=alice%40example.test HTTP/1.1\r\nHost: autoconfig.example.test\r\nConnection: close\r\n\r\n',
      ),
    ]),
  );
  let reply = '';
  socket.on('data', (chunk: Buffer) => (reply += chunk.toString('utf8')));
  await once(socket, 'close');
  assert.match(reply, /^HTTP\/1\.1 200 /u);
  assert.match(reply, /<emailProvider id="example\.test">/u);
  const healthCheck = net.connect(behindNlb.ports.https!, '127.0.0.1');
  healthCheck.end(proxyV2Header('LOCAL'));
  await once(healthCheck, 'close');
  assert.equal((await curl(`https://mta-sts.example.test:${relay.port}${MTA_STS_POLICY_PATH}`, [relay.port])).status, 200, 'still serving');
});
