// The web endpoints' routes, socket-free (the sockets, TLS and PROXY v2 are in
// test/e2e/autoconfig/web-endpoints.test.ts): each document is parsed by Python's own XML and plist
// parsers (what the clients' parsers would see), not by string matching.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../../../../core/config/index.js';
import { publicEndpoints } from '../../../../core/autoconfig/mail-endpoints.js';
import { createWebRouter, type WebReply } from '../../../../core/autoconfig/web-routes.js';

const config = loadConfig({ YUBIN_HOSTNAME: 'mail.example.test', YUBIN_IMAPS_PORT: '2993' });
const hosted = new Set(['example.test']);
const route = createWebRouter({
  endpoints: publicEndpoints(config),
  mtaStsMode: 'enforce',
  directory: { getDomain: async (name: string) => (hosted.has(name) ? { name, createdAt: new Date() } : null) },
});

interface Ask {
  readonly method?: string;
  readonly host?: string;
  readonly secure?: boolean;
  readonly body?: string;
}

/** One request through the router, as http-server.ts would make it (HTTPS unless told otherwise). */
function ask(pathAndQuery: string, options: Ask = {}): Promise<WebReply> {
  const body = options.body ?? '';
  return route({
    method: options.method ?? 'GET',
    url: new URL(pathAndQuery, 'http://localhost'),
    host: options.host ?? '',
    secure: options.secure ?? true,
    readBody: async () => (Buffer.byteLength(body) > 16 * 1024 ? null : body),
  });
}

test('documented default ports: HTTP 2080, HTTPS 2443; the standard 80/443 behind the NLB', () => {
  assert.equal(loadConfig({}).autoconfigPort, 2080);
  assert.equal(loadConfig({}).httpsPort, 2443);
  assert.equal(publicEndpoints(loadConfig({ YUBIN_BACKEND: 'aws' })).https, 443);
});

/** Runs a Python snippet with the document on stdin; it prints JSON. */
function python<T>(script: string, input: string): T {
  const result = spawnSync('python3', ['-c', script], { input, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

const PARSE_THUNDERBIRD = `
import sys, json, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
p = root.find('emailProvider')
servers = [{'kind': s.tag, 'type': s.get('type'), **{c.tag: c.text for c in s}} for s in p if s.tag in ('incomingServer', 'outgoingServer')]
print(json.dumps({'version': root.get('version'), 'id': p.get('id'), 'domain': p.findtext('domain'), 'servers': servers}))
`;

test('Thunderbird config-v1.1.xml at both well-known paths, for hosted domains only', async () => {
  for (const path of ['/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40example.test', '/mail/config-v1.1.xml']) {
    // Thunderbird asks http://autoconfig.DOMAIN/…: the domain may come from the Host header alone.
    const response = await ask(path, { host: 'autoconfig.example.test', secure: false });
    assert.equal(response.status, 200);
    assert.match(response.contentType, /^application\/xml/u);
    const doc = python<{ version: string; id: string; domain: string; servers: Record<string, string>[] }>(
      PARSE_THUNDERBIRD,
      response.body,
    );
    assert.equal(doc.version, '1.1');
    assert.equal(doc.domain, 'example.test');
    assert.deepEqual(
      doc.servers.map((s) => [s.kind, s.type, s.hostname, s.port, s.socketType, s.username, s.authentication]),
      [
        ['incomingServer', 'imap', 'mail.example.test', '2993', 'SSL', '%EMAILADDRESS%', 'password-cleartext'],
        ['incomingServer', 'pop3', 'mail.example.test', '2995', 'SSL', '%EMAILADDRESS%', 'password-cleartext'],
        ['outgoingServer', 'smtp', 'mail.example.test', '2465', 'SSL', '%EMAILADDRESS%', 'password-cleartext'],
        ['outgoingServer', 'smtp', 'mail.example.test', '2587', 'STARTTLS', '%EMAILADDRESS%', 'password-cleartext'],
      ],
    );
  }
  assert.equal((await ask('/mail/config-v1.1.xml?emailaddress=eve%40elsewhere.test')).status, 404);
  assert.equal((await ask('/mail/config-v1.1.xml', { host: 'autoconfig.elsewhere.test' })).status, 404);
  assert.equal((await ask('/mail/config-v1.1.xml', { method: 'POST' })).status, 405);
});

test('Outlook autodiscover answers a POSTed request with IMAP, POP3 and SMTP settings', async () => {
  const request = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>Alice@Example.test</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>
</Autodiscover>`;
  const response = await ask('/Autodiscover/Autodiscover.xml', { method: 'POST', body: request });
  assert.equal(response.status, 200);
  const doc = python<{ action: string; protocols: Record<string, string>[] }>(
    `
import sys, json, xml.etree.ElementTree as ET
ns = {'a': 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006', 'o': 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'}
root = ET.fromstring(sys.stdin.read())
account = root.find('o:Response/o:Account', ns)
protocols = [{c.tag.split('}')[1]: c.text for c in p} for p in account.findall('o:Protocol', ns)]
print(json.dumps({'action': account.findtext('o:Action', namespaces=ns), 'protocols': protocols}))
`,
    response.body,
  );
  assert.equal(doc.action, 'settings');
  assert.deepEqual(
    doc.protocols.map((p) => [p.Type, p.Server, p.Port, p.LoginName, p.Encryption, p.SPA]),
    [
      ['IMAP', 'mail.example.test', '2993', 'alice@example.test', 'SSL', 'off'],
      ['POP3', 'mail.example.test', '2995', 'alice@example.test', 'SSL', 'off'],
      ['SMTP', 'mail.example.test', '2465', 'alice@example.test', 'SSL', 'off'],
    ],
  );
  assert.equal((await ask('/autodiscover/autodiscover.xml')).status, 405);
  assert.equal((await ask('/autodiscover/autodiscover.xml', { method: 'POST', body: 'x'.repeat(64 * 1024) })).status, 413);
  assert.equal((await ask('/autodiscover/autodiscover.xml', { method: 'POST', body: '<Autodiscover/>' })).status, 400);
  const foreign = request.replace('Example.test', 'elsewhere.test');
  assert.equal((await ask('/autodiscover/autodiscover.xml', { method: 'POST', body: foreign })).status, 404);
});

test('Apple .mobileconfig is a valid property list with one IMAP mail payload', async () => {
  const response = await ask(`/apple/yubin.mobileconfig?email=${encodeURIComponent("o'brien+x@example.test")}`);
  assert.equal(response.status, 200);
  assert.equal(response.contentType, 'application/x-apple-aspen-config');
  const profile = python<Record<string, unknown> & { PayloadContent: Record<string, unknown>[] }>(
    'import sys, json, plistlib\nprint(json.dumps(plistlib.loads(sys.stdin.buffer.read())))',
    response.body,
  );
  assert.equal(profile.PayloadType, 'Configuration');
  assert.match(String(profile.PayloadUUID), /^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/u);
  const [mail] = profile.PayloadContent;
  assert.equal(profile.PayloadContent.length, 1);
  assert.deepEqual(
    [
      mail!.PayloadType,
      mail!.EmailAccountType,
      mail!.EmailAddress,
      mail!.IncomingMailServerHostName,
      mail!.IncomingMailServerPortNumber,
      mail!.IncomingMailServerUseSSL,
      mail!.OutgoingMailServerPortNumber,
      mail!.OutgoingPasswordSameAsIncomingPassword,
    ],
    ['com.apple.mail.managed', 'EmailTypeIMAP', "o'brien+x@example.test", 'mail.example.test', 2993, true, 2465, true],
  );
  const again = (await ask(`/apple/yubin.mobileconfig?email=${encodeURIComponent("o'brien+x@example.test")}`)).body;
  assert.equal(
    python<{ u: string }>(
      'import sys, json, plistlib\nprint(json.dumps({"u": plistlib.loads(sys.stdin.buffer.read())["PayloadUUID"]}))',
      again,
    ).u,
    profile.PayloadUUID,
    'same profile on re-download',
  );
  assert.equal((await ask('/apple/yubin.mobileconfig')).status, 400);
});

test('the MTA-STS policy is served on mta-sts.DOMAIN only, for hosted domains, over HTTPS only', async () => {
  const policy = await ask('/.well-known/mta-sts.txt', { host: 'mta-sts.example.test' });
  assert.equal(policy.status, 200);
  assert.equal(policy.contentType, 'text/plain; charset=utf-8');
  assert.equal(policy.body, 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\nmax_age: 604800\r\n');
  assert.equal(policy.headers?.location, undefined, 'RFC 8461 §3.3: never a redirect over HTTPS');
  assert.equal((await ask('/.well-known/mta-sts.txt', { host: 'mta-sts.elsewhere.test' })).status, 404);
  assert.equal((await ask('/.well-known/mta-sts.txt', { host: 'mail.example.test' })).status, 404, 'only the mta-sts name');
  assert.equal((await ask('/.well-known/mta-sts.txt', { host: 'mta-sts.example.test', method: 'POST' })).status, 405);
});

test('plain HTTP serves Thunderbird only; the rest redirects to HTTPS for names of this deployment', async () => {
  const policy = await ask('/.well-known/mta-sts.txt', { host: 'mta-sts.example.test', secure: false });
  assert.equal(policy.status, 301);
  assert.equal(policy.headers?.location, 'https://mta-sts.example.test:2443/.well-known/mta-sts.txt');
  const post = await ask('/autodiscover/autodiscover.xml?x=1', { host: 'autodiscover.example.test', secure: false, method: 'POST' });
  assert.equal(post.status, 308, 'a POST keeps its method');
  assert.equal(post.headers?.location, 'https://autodiscover.example.test:2443/autodiscover/autodiscover.xml?x=1');
  assert.equal((await ask('/apple/yubin.mobileconfig', { host: 'mail.example.test', secure: false })).status, 301);
  assert.equal((await ask('/.well-known/mta-sts.txt', { host: 'mta-sts.elsewhere.test', secure: false })).status, 404, 'no open redirect');
  assert.equal((await ask('/.well-known/mta-sts.txt', { host: '', secure: false })).status, 404);
  assert.equal((await ask('/elsewhere', { host: 'mail.example.test', secure: false })).status, 404);
});
