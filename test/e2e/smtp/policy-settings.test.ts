// The SMTP policy as an operator configures it: YUBIN_* settings (core/config/smtp-policy.ts) →
// startSmtpService options (policy/policy-settings.ts) → a running service asked by real clients,
// with DNSBL and SPF answered by a DNS server on a loopback port (dns2, the egress tests' helper).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadSmtpPolicyConfig } from '../../../core/config/smtp-policy.js';
import type { InboundDeliveryJob } from '../../../core/mail/jobs.js';
import { smtpPolicyOptions } from '../../../services/smtp-fargate/policy/policy-settings.js';
import { startLoopbackDns, type LoopbackDns, type ZoneRecords } from '../../support/loopback-dns.js';
import { RawSmtpClient } from './support/raw-client.js';
import { queuedJobs, startSmtpFixture, type SmtpFixture } from './support/smtp-fixture.js';

const run = promisify(execFile);
let dns: LoopbackDns;

before(async () => {
  dns = await startLoopbackDns(
    new Map<string, ZoneRecords>([
      // RFC 5782 §2.1: 127.0.0.1 reversed under the zone; an answer in 127/8 means listed.
      ['1.0.0.127.bl.test', { a: ['127.0.0.2'] }],
      // RFC 7208: the test client connects from 127.0.0.1.
      ['spf-fail.test', { txt: ['v=spf1 ip4:192.0.2.1 -all'] }],
      ['spf-pass.test', { txt: ['v=spf1 ip4:127.0.0.1 -all'] }],
    ]),
  );
});
after(() => dns.close());

/** A service started from these YUBIN_* settings, on the local backend, asking the loopback DNS. */
function startConfigured(env: Record<string, string>): Promise<SmtpFixture> {
  const settings = loadSmtpPolicyConfig({ backend: 'local' }, { YUBIN_SMTP_DNS_SERVERS: dns.server, ...env });
  return startSmtpFixture(smtpPolicyOptions(settings));
}

/** MAIL FROM each sender with smtplib, to alice; prints the reply to each. */
const PYTHON_SENDERS = `
import smtplib, sys
for sender in sys.argv[2:]:
    with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20) as s:
        s.ehlo('client.remote.example')
        code, text = s.mail(sender)
        if code == 250:
            s.rcpt('alice@example.test')
            code, text = s.data(b'Subject: spf\\r\\n\\r\\nhello\\r\\n')
        print(sender, code, text.decode())
`;

async function sendFrom(fixture: SmtpFixture, ...senders: string[]): Promise<string> {
  const { stdout } = await run('python3', ['-c', PYTHON_SENDERS, String(fixture.service.ports.smtp), ...senders], { timeout: 30_000 });
  return stdout;
}

describe('YUBIN_DNSBL_ZONES', () => {
  let fixture: SmtpFixture;
  before(async () => {
    fixture = await startConfigured({ YUBIN_DNSBL_ZONES: 'clean.test, bl.test' });
  });
  after(() => fixture.close());

  test('a client listed in one of the zones is refused at connect with 554 5.7.1 naming that zone', async () => {
    const client = await RawSmtpClient.connect(fixture.service.ports.smtp);
    assert.match((await client.reply()).text, /^554 5\.7\.1 Service unavailable; client host \[127\.0\.0\.1\] blocked using bl\.test;/u);
    await client.waitClosed();
  });
});

describe('YUBIN_SPF', () => {
  test('reject: SPF fail → 554 5.7.1 at MAIL FROM; pass → accepted with the verdict in the job', async () => {
    const fixture = await startConfigured({ YUBIN_SPF: 'reject' });
    try {
      const out = await sendFrom(fixture, 'x@spf-fail.test', 'x@spf-pass.test');
      assert.match(out, /^x@spf-fail\.test 554 5\.7\.1 SPF check failed: spf-fail\.test does not designate \[127\.0\.0\.1\] as a permitted sender/mu);
      assert.match(out, /^x@spf-pass\.test 250 2\.0\.0 Ok: queued/mu);
      const jobs = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
      assert.deepEqual(
        jobs.map((job) => [job.envelope.mailFrom, job.spf?.result]),
        [['x@spf-pass.test', 'pass']],
      );
    } finally {
      await fixture.close();
    }
  });

  test('tag (the local default): SPF fail is accepted and recorded for delivery', async () => {
    assert.equal(loadSmtpPolicyConfig({ backend: 'local' }, {}).spf, 'tag');
    const fixture = await startConfigured({});
    try {
      assert.match(await sendFrom(fixture, 'x@spf-fail.test'), /^x@spf-fail\.test 250 2\.0\.0 Ok: queued/mu);
      const [job] = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
      assert.equal(job?.spf?.result, 'fail');
      assert.equal(job?.spf?.domain, 'spf-fail.test');
    } finally {
      await fixture.close();
    }
  });

  test('off: no SPF lookup, no verdict in the job', async () => {
    const fixture = await startConfigured({ YUBIN_SPF: 'off' });
    try {
      assert.match(await sendFrom(fixture, 'x@spf-fail.test'), /^x@spf-fail\.test 250 2\.0\.0 Ok: queued/mu);
      const [job] = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
      assert.equal(job?.spf, undefined);
    } finally {
      await fixture.close();
    }
  });
});

describe('YUBIN_SMTP_MAX_CONNECTIONS_PER_IP and YUBIN_SMTP_MESSAGE_RATE', () => {
  let fixture: SmtpFixture;
  before(async () => {
    fixture = await startConfigured({ YUBIN_SMTP_MAX_CONNECTIONS_PER_IP: '1', YUBIN_SMTP_MESSAGE_RATE: '2', YUBIN_SPF: 'off' });
  });
  after(() => fixture.close());

  test('a second concurrent connection gets 421 4.7.0; the third MAIL in a minute gets 421 4.7.0', async () => {
    const first = await RawSmtpClient.connect(fixture.service.ports.smtp);
    assert.match((await first.reply()).text, /^220 /u);
    const second = await RawSmtpClient.connect(fixture.service.ports.smtp);
    assert.match((await second.reply()).text, /^421 4\.7\.0 Too many connections from your address/u);
    await second.waitClosed();
    await first.command('EHLO client.remote.example');
    for (let i = 0; i < 2; i++) {
      assert.match((await first.command('MAIL FROM:<s@remote.example>')).text, /^250 2\.1\.0/u);
      assert.equal((await first.command('RSET')).code, 250);
    }
    assert.match((await first.command('MAIL FROM:<s@remote.example>')).text, /^421 4\.7\.0 Too many messages from your address/u);
    first.close();
  });
});
