// The autoconfig listener over real HTTP; each document is parsed by Python's own XML and plist
// parsers (what the clients' parsers would see), not by string matching.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { startAutoconfigHttp, type AutoconfigHttp } from '../../../../core/autoconfig/http-server.js';
import { loadConfig } from '../../../../core/config/index.js';
import { silentLogger } from '../../../../core/log/logger.js';

let server: AutoconfigHttp;
let base: string;

before(async () => {
  const config = loadConfig({ YUBIN_HOSTNAME: 'mail.example.test', YUBIN_IMAPS_PORT: '2993', YUBIN_AUTOCONFIG_PORT: '0' });
  assert.equal(loadConfig({}).autoconfigPort, 2080, 'documented default port');
  const hosted = new Set(['example.test']);
  server = await startAutoconfigHttp({
    config,
    logger: silentLogger,
    directory: { getDomain: async (name) => (hosted.has(name) ? { name, createdAt: new Date() } : null) },
  });
  base = `http://127.0.0.1:${server.port}`;
});
after(async () => server.close());

/** fetch() may not set Host; node:http may. */
function getWithHost(url: string, host: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { host } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type']), body }),
        );
      })
      .on('error', reject);
  });
}

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
    const response = await getWithHost(base + path, 'autoconfig.example.test');
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
  const foreign = await fetch(`${base}/mail/config-v1.1.xml?emailaddress=eve%40elsewhere.test`);
  assert.equal(foreign.status, 404);
  await foreign.body?.cancel();
});

test('Outlook autodiscover answers a POSTed request with IMAP, POP3 and SMTP settings', async () => {
  const request = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>Alice@Example.test</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>
</Autodiscover>`;
  const response = await fetch(`${base}/autodiscover/autodiscover.xml`, {
    method: 'POST',
    body: request,
    headers: { 'content-type': 'text/xml' },
  });
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
    await response.text(),
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
  const get = await fetch(`${base}/autodiscover/autodiscover.xml`);
  assert.equal(get.status, 405);
  await get.body?.cancel();
  const huge = await fetch(`${base}/autodiscover/autodiscover.xml`, { method: 'POST', body: 'x'.repeat(64 * 1024) });
  assert.equal(huge.status, 413);
  await huge.body?.cancel();
});

test('Apple .mobileconfig is a valid property list with one IMAP mail payload', async () => {
  const response = await fetch(`${base}/apple/yubin.mobileconfig?email=${encodeURIComponent("o'brien+x@example.test")}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/x-apple-aspen-config');
  const profile = python<Record<string, unknown> & { PayloadContent: Record<string, unknown>[] }>(
    'import sys, json, plistlib\nprint(json.dumps(plistlib.loads(sys.stdin.buffer.read())))',
    await response.text(),
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
  const again = await (await fetch(`${base}/apple/yubin.mobileconfig?email=${encodeURIComponent("o'brien+x@example.test")}`)).text();
  assert.equal(
    python<{ u: string }>(
      'import sys, json, plistlib\nprint(json.dumps({"u": plistlib.loads(sys.stdin.buffer.read())["PayloadUUID"]}))',
      again,
    ).u,
    profile.PayloadUUID,
    'same profile on re-download',
  );
  const missing = await fetch(`${base}/apple/yubin.mobileconfig`);
  assert.equal(missing.status, 400);
  await missing.body?.cancel();
});
