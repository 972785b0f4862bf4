// PROXY protocol v2 as the AWS NLB sends it: the real client IP reaches policy and the job; the
// health check's LOCAL header is accepted; malformed headers and missing headers are refused;
// without PROXY enabled a header is never trusted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InboundDeliveryJob } from '../../../core/mail/jobs.js';
import { PROXY_V2_SIGNATURE } from '../../../core/net/proxy-protocol.js';
import { RawSmtpClient } from './support/raw-client.js';
import { queuedJobs, readBlob, startSmtpFixture, type SmtpFixture } from './support/smtp-fixture.js';

function proxyHeader(command: 'LOCAL' | 'PROXY', source = [203, 0, 113, 7]): Buffer {
  const addresses = Buffer.from([...source, 10, 0, 0, 5, 0xc3, 0x50, 0x00, 0x19]); // :50000 → :25
  const fixed = Buffer.from([command === 'PROXY' ? 0x21 : 0x20, command === 'PROXY' ? 0x11 : 0x00, 0, command === 'PROXY' ? 12 : 0]);
  return Buffer.concat([PROXY_V2_SIGNATURE, fixed, command === 'PROXY' ? addresses : Buffer.alloc(0)]);
}

let fixture: SmtpFixture;
before(async () => {
  fixture = await startSmtpFixture({ proxyProtocol: true, connections: { proxyHeaderTimeoutMs: 2_000 } });
});
after(() => fixture.close());

test('the source address of a PROXY v2 header is the client IP in the job and Received header', async () => {
  const client = await RawSmtpClient.connect(fixture.service.ports.smtp, { preamble: proxyHeader('PROXY') });
  assert.equal((await client.reply()).code, 220);
  client.send('EHLO c.example\r\nMAIL FROM:<s@remote.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n');
  for (let i = 0; i < 4; i++) await client.reply();
  client.send('Subject: via nlb\r\n\r\nx\r\n.\r\n');
  assert.equal((await client.reply()).code, 250);
  const [job] = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
  assert.equal(job?.client.ip, '203.0.113.7');
  assert.match((await readBlob(fixture.storage, job?.blobKey ?? '')).toString(), /^Received: from c\.example \(\[203\.0\.113\.7\]\)/u);
  client.close();
});

test('a LOCAL header (NLB health check) is accepted and the session works', async () => {
  const client = await RawSmtpClient.connect(fixture.service.ports.smtp, { preamble: proxyHeader('LOCAL') });
  assert.equal((await client.reply()).code, 220);
  assert.equal((await client.command('QUIT')).code, 221);
});

test('commands in the same segment as the header are answered after the greeting', async () => {
  const preamble = Buffer.concat([proxyHeader('PROXY', [198, 51, 100, 23]), Buffer.from('EHLO c.example\r\nNOOP\r\n')]);
  const client = await RawSmtpClient.connect(fixture.service.ports.smtp, { preamble });
  assert.equal((await client.reply()).code, 220);
  assert.equal((await client.reply()).code, 250, 'EHLO');
  assert.equal((await client.reply()).code, 250, 'NOOP');
  assert.equal((await client.command('QUIT')).code, 221);
});

test('malformed headers and plain SMTP on a PROXY listener are refused without a greeting', async () => {
  const badVersion = proxyHeader('PROXY');
  badVersion[12] = 0x11;
  const tooLong = proxyHeader('PROXY');
  tooLong.writeUInt16BE(60_000, 14);
  const shortAddresses = Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x21, 0x11, 0, 4, 1, 2, 3, 4])]);
  for (const preamble of [badVersion, tooLong, shortAddresses, Buffer.from('EHLO c.example\r\n')]) {
    const client = await RawSmtpClient.connect(fixture.service.ports.smtp, { preamble });
    await client.waitClosed();
    await assert.rejects(client.reply(100), /connection closed/u);
  }
});

test('a client that sends no header is cut off after the header timeout', async () => {
  const client = await RawSmtpClient.connect(fixture.service.ports.smtp);
  await client.waitClosed(10_000);
});

test('without PROXY enabled a header is not trusted: its QUIT ends the session', async () => {
  const plain = await startSmtpFixture();
  try {
    const client = await RawSmtpClient.connect(plain.service.ports.smtp, { preamble: proxyHeader('PROXY') });
    assert.equal((await client.reply()).code, 220);
    const replies = [await client.reply(), await client.reply(), await client.reply(), await client.reply()];
    assert.deepEqual(replies.map((r) => r.code), [500, 500, 500, 221]);
    await client.waitClosed();
  } finally {
    await plain.close();
  }
});
