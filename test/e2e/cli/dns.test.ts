// `yubin dns` output parsed record by record, and `yubin dns check` against a real DNS server (dns2
// on a loopback port) serving first the right records, then missing and wrong ones.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dns2 from 'dns2';
import type { DnsRecord } from '../../../core/cli/dns/dns-records.js';
import { removeCliBundle, runYubin } from './cli-harness.js';

let dataDir: string;
let env: Record<string, string>;
const yubin = (args: string[]) => runYubin(args, { env });

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-cli-dns-'));
  env = {
    YUBIN_DATA_DIR: dataDir,
    YUBIN_HOSTNAME: 'mail.example.test',
    YUBIN_PUBLIC_ADDRESSES: '192.0.2.10,2001:db8::10',
    YUBIN_IMAPS_PORT: '993',
    YUBIN_POP3S_PORT: '995',
    YUBIN_SUBMISSION_PORT: '587',
    YUBIN_SUBMISSIONS_PORT: '465',
  };
  assert.equal((await yubin(['domain', 'add', 'example.test'])).code, 0);
  assert.equal((await yubin(['dkim', 'generate', 'example.test', '--selector', 'sel1'])).code, 0);
});
after(async () => {
  await removeCliBundle();
  await rm(dataDir, { recursive: true, force: true });
});

interface ZoneLine {
  readonly name: string;
  readonly ttl: number;
  readonly type: string;
  readonly data: string;
}

function parseZone(text: string): ZoneLine[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith(';'))
    .map((line) => {
      const [name, ttl, klass, type, data] = line.split('\t');
      assert.equal(klass, 'IN', line);
      assert.ok(name?.endsWith('.'), `absolute name: ${line}`);
      return { name: name!, ttl: Number(ttl), type: type!, data: data! };
    });
}

/** Joins the quoted strings of a TXT record (RFC 1035 §5.1). */
function txtText(data: string): string {
  return [...data.matchAll(/"((?:[^"\\]|\\.)*)"/gu)].map((m) => m[1]!.replace(/\\(.)/gu, '$1')).join('');
}

test('dns prints every record to publish, each well-formed', async () => {
  const result = await yubin(['dns', 'example.test']);
  assert.equal(result.code, 0, result.stderr);
  const zone = parseZone(result.stdout);
  const find = (name: string, type: string) => zone.filter((r) => r.name === name && r.type === type);
  assert.ok(zone.every((r) => r.ttl === 3600));

  assert.deepEqual(
    find('example.test.', 'MX').map((r) => r.data),
    ['10 mail.example.test.'],
  );
  assert.deepEqual(
    find('mail.example.test.', 'A').map((r) => r.data),
    ['192.0.2.10'],
  );
  assert.deepEqual(
    find('mail.example.test.', 'AAAA').map((r) => r.data),
    ['2001:db8::10'],
  );
  assert.deepEqual(
    find('example.test.', 'TXT').map((r) => txtText(r.data)),
    ['v=spf1 mx ip4:192.0.2.10 ip6:2001:db8::10 -all'],
  );

  const dkim = find('sel1._domainkey.example.test.', 'TXT');
  assert.equal(dkim.length, 1);
  assert.ok(
    dkim[0]!.data.split('" "').every((part) => part.replace(/"/gu, '').length <= 255),
    'TXT strings of at most 255 octets',
  );
  const dkimTags = new Map(
    txtText(dkim[0]!.data)
      .split(';')
      .map((tag) => tag.trim().split('=') as [string, string]),
  );
  assert.equal(dkimTags.get('v'), 'DKIM1');
  assert.equal(dkimTags.get('k'), 'rsa');
  const publicKey = createPublicKey({ key: Buffer.from(txtText(dkim[0]!.data).split('p=')[1]!, 'base64'), format: 'der', type: 'spki' });
  assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048);

  assert.deepEqual(
    find('_dmarc.example.test.', 'TXT').map((r) => txtText(r.data)),
    ['v=DMARC1; p=quarantine; rua=mailto:postmaster@example.test'],
  );
  assert.match(txtText(find('_mta-sts.example.test.', 'TXT')[0]!.data), /^v=STSv1; id=[0-9a-f]{20}$/u);
  assert.deepEqual(
    find('mta-sts.example.test.', 'CNAME').map((r) => r.data),
    ['mail.example.test.'],
  );
  assert.deepEqual(
    find('_smtp._tls.example.test.', 'TXT').map((r) => txtText(r.data)),
    ['v=TLSRPTv1; rua=mailto:postmaster@example.test'],
  );
  const srv = (service: string) => find(`_${service}._tcp.example.test.`, 'SRV').map((r) => r.data);
  assert.deepEqual(srv('submissions'), ['0 1 465 mail.example.test.']);
  assert.deepEqual(srv('submission'), ['10 1 587 mail.example.test.']);
  assert.deepEqual(srv('imaps'), ['0 1 993 mail.example.test.']);
  assert.deepEqual(srv('pop3s'), ['10 1 995 mail.example.test.']);
  assert.deepEqual(srv('imap'), ['0 0 0 .'], 'RFC 8314: cleartext IMAP is not offered');
  assert.deepEqual(srv('pop3'), ['0 0 0 .']);
  assert.deepEqual(
    find('autoconfig.example.test.', 'CNAME').map((r) => r.data),
    ['mail.example.test.'],
  );
  assert.deepEqual(
    find('autodiscover.example.test.', 'CNAME').map((r) => r.data),
    ['mail.example.test.'],
  );
  assert.match(result.stdout, /^; {3}mx: mail\.example\.test$/mu, 'the MTA-STS policy file is printed');
  assert.match(result.stdout, /^; {3}mode: enforce$/mu);

  const unknown = await yubin(['dns', 'other.test']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^yubin: unknown domain other\.test/u);
});

/** A dns2 UDP server answering from a map of `name TYPE` → resource records. */
async function startDnsServer(records: readonly DnsRecord[]): Promise<{ port: number; close(): Promise<void> }> {
  const { Packet } = dns2;
  const answers = new Map<string, object[]>();
  const add = (name: string, type: number, data: object) => {
    const key = `${name.toLowerCase()} ${type}`;
    answers.set(key, [...(answers.get(key) ?? []), { name, type, class: Packet.CLASS.IN, ttl: 60, ...data }]);
  };
  for (const record of records) {
    if (record.type === 'MX') add(record.name, Packet.TYPE.MX, { exchange: record.exchange, priority: record.priority });
    else if (record.type === 'A' || record.type === 'AAAA') add(record.name, Packet.TYPE[record.type], { address: record.address });
    else if (record.type === 'TXT') add(record.name, Packet.TYPE.TXT, { data: record.text.match(/.{1,255}/gsu) ?? [''] });
    else if (record.type === 'CNAME') add(record.name, Packet.TYPE.CNAME, { domain: record.target });
    else if (record.type === 'SRV')
      add(record.name, Packet.TYPE.SRV, {
        priority: record.priority,
        weight: record.weight,
        port: record.port,
        target: record.target === '.' ? '' : record.target,
      });
  }
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0]!;
      response.answers.push(...((answers.get(`${question.name.toLowerCase()} ${question.type}`) ?? []) as typeof response.answers));
      send(response);
    },
  });
  const listening = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = (listening as { udp: { port: number } }).udp.port;
  return { port, close: () => server.close() };
}

test('dns check finds every record in place, then names the missing and wrong ones and what to write', async () => {
  const json = await yubin(['dns', 'example.test', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const { records } = JSON.parse(json.stdout) as { records: DnsRecord[] };

  // mta-sts as an address record with the mail host's address, as the CDK stack's Route 53 alias gives it.
  const asAlias = records.map((record): DnsRecord =>
    record.purpose === 'mta-sts-policy-host' ? { purpose: record.purpose, name: record.name, type: 'A', address: '192.0.2.10' } : record,
  );
  const right = await startDnsServer(asAlias);
  try {
    const result = await yubin(['dns', 'check', 'example.test', '--resolver', `127.0.0.1:${right.port}`]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`all ${records.length} records are in place`, 'u'));
  } finally {
    await right.close();
  }

  const damaged = records
    .filter((record) => record.purpose !== 'dmarc' && record.purpose !== 'autodiscover')
    .map((record): DnsRecord => {
      if (record.purpose === 'spf' && record.type === 'TXT') return { ...record, text: 'v=spf1 ip4:198.51.100.1 -all' };
      if (record.purpose === 'dkim' && record.type === 'TXT')
        return { ...record, text: 'v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAold' };
      if (record.type === 'MX') return { ...record, exchange: 'mx.old-provider.test' };
      if (record.purpose === 'mta-sts' && record.type === 'TXT') return { ...record, text: 'v=STSv1; id=20240101' };
      if (record.purpose === 'autoconfig') return { purpose: record.purpose, name: record.name, type: 'A', address: '198.51.100.99' };
      return record;
    });
  const wrong = await startDnsServer(damaged);
  try {
    const result = await yubin(['dns', 'check', 'example.test', '--resolver', `127.0.0.1:${wrong.port}`]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /^MISSING +dmarc +TXT +_dmarc\.example\.test\n {4}write: +_dmarc\.example\.test\.\t3600\tIN\tTXT\t"v=DMARC1; p=quarantine; rua=mailto:postmaster@example\.test"$/mu,
    );
    assert.match(result.stdout, /^MISSING +autodiscover +CNAME +autodiscover\.example\.test$/mu);
    assert.match(
      result.stdout,
      /^WRONG +spf +TXT +example\.test\n {4}found: +v=spf1 ip4:198\.51\.100\.1 -all\n {4}why: +the SPF terms differ\n {4}write: .*"v=spf1 mx ip4:192\.0\.2\.10 ip6:2001:db8::10 -all"$/mu,
    );
    assert.match(result.stdout, /^WRONG +dkim +TXT +sel1\._domainkey\.example\.test$/mu);
    assert.match(
      result.stdout,
      /^WRONG +mx +MX +example\.test\n {4}found: +10 mx\.old-provider\.test\n {4}write: +example\.test\.\t3600\tIN\tMX\t10 mail\.example\.test\.$/mu,
    );
    assert.match(
      result.stdout,
      /^WRONG +mta-sts +TXT +_mta-sts\.example\.test\n {4}found: +v=STSv1; id=20240101\n {4}why: +the id is not the one/mu,
    );
    assert.match(
      result.stdout,
      /^WRONG +autoconfig +CNAME +autoconfig\.example\.test\n {4}found: +198\.51\.100\.99\n {4}why: +these are not the addresses of mail\.example\.test$/mu,
    );
    assert.match(result.stdout, /^OK +tls-rpt /mu);
    assert.match(result.stdout, /^7 of \d+ records need attention$/mu);
    assert.equal(result.stderr, 'yubin: 7 DNS records are missing or wrong\n');
  } finally {
    await wrong.close();
  }
});
