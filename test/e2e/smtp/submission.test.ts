// Submission (STARTTLS) and submissions (implicit TLS) with nodemailer and raw sessions: AUTH only
// after TLS, 530 without AUTH, 553 for a sender the user does not own, 535 and its throttle, and
// the split of local and remote recipients between the two queues.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import nodemailer from 'nodemailer';
import { MemoryAttemptCounter } from '../../../core/adapters/local/memory-attempt-counter.js';
import { AuthThrottle } from '../../../core/auth/auth-throttle.js';
import type { InboundDeliveryJob, OutboundDeliveryJob } from '../../../core/mail/jobs.js';
import { RawSmtpClient } from './support/raw-client.js';
import { PASSWORD, queuedJobs, startSmtpFixture, type SmtpFixture } from './support/smtp-fixture.js';

let fixture: SmtpFixture;
before(async () => {
  fixture = await startSmtpFixture({ authThrottle: new AuthThrottle(new MemoryAttemptCounter(), { maxFailuresPerIp: 100, maxFailuresPerUser: 3, windowMs: 60_000 }) });
});
after(() => fixture.close());

const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`).toString('base64');

function transport(port: number, secure: boolean, user = 'alice@example.test', pass = PASSWORD) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure, requireTLS: !secure, auth: { user, pass }, tls: { rejectUnauthorized: false } });
}

test('nodemailer over STARTTLS with AUTH: local recipients → inbound queue, remote → outbound queue', async () => {
  const info = await transport(fixture.service.ports.submission, false).sendMail({
    from: 'alice@example.test',
    to: ['bob@example.test', 'friend@remote.example'],
    cc: 'team@example.test',
    subject: 'hello',
    text: 'Grüße aus Tokyo — 郵便\n',
  });
  assert.match(info.response, /^250 2\.0\.0 Ok: queued as /u);
  assert.deepEqual(info.accepted.sort(), ['bob@example.test', 'friend@remote.example', 'team@example.test']);
  const [inbound] = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
  const [outbound] = await queuedJobs<OutboundDeliveryJob>(fixture.storage.outboundQueue);
  assert.deepEqual(inbound?.envelope.recipients.map((r) => r.address), ['bob@example.test', 'team@example.test']);
  assert.deepEqual(outbound?.envelope.recipients.map((r) => r.address), ['friend@remote.example']);
  assert.equal(inbound?.blobKey, outbound?.blobKey, 'one stored copy serves both queues');
  assert.equal(inbound?.client.authenticatedAs, 'alice@example.test');
  assert.equal(inbound?.client.tls, true);
});

test('nodemailer over implicit TLS (submissions) with AUTH LOGIN, sending from an alias', async () => {
  const mailer = nodemailer.createTransport({
    host: '127.0.0.1',
    port: fixture.service.ports.submissions ?? 0,
    secure: true,
    auth: { user: 'alice@example.test', pass: PASSWORD, method: 'LOGIN' },
    tls: { rejectUnauthorized: false },
  });
  const info = await mailer.sendMail({ from: 'team@example.test', to: 'outside@remote.example', subject: 'from alias', text: 'hi' });
  assert.match(info.response, /^250 /u);
  const [job] = await queuedJobs<OutboundDeliveryJob>(fixture.storage.outboundQueue);
  assert.equal(job?.envelope.mailFrom, 'team@example.test');
});

test('a sender the user does not own → 553 5.7.1 naming the user', async () => {
  await assert.rejects(
    transport(fixture.service.ports.submission, false).sendMail({ from: 'bob@example.test', to: 'x@remote.example', subject: 's', text: 't' }),
    (error: Error & { response?: string }) => /^553 5\.7\.1 <bob@example\.test>: Sender address rejected: not owned by user alice@example\.test/u.test(error.response ?? ''),
  );
});

test('submission without AUTH → 530 5.7.0; AUTH before STARTTLS → 530 and not advertised', async () => {
  const client = await RawSmtpClient.connect(fixture.service.ports.submission);
  await client.reply();
  const ehlo = await client.command('EHLO me.example');
  assert.ok(ehlo.text.includes('STARTTLS') && !ehlo.text.includes('AUTH'), ehlo.text);
  assert.match((await client.command(`AUTH PLAIN ${plain('alice@example.test', PASSWORD)}`)).text, /^530 5\.7\.0 Must issue a STARTTLS command first/u);
  assert.match((await client.command('MAIL FROM:<alice@example.test>')).text, /^530 5\.7\.0 Authentication required/u);
  assert.equal((await client.command('STARTTLS')).code, 220);
  await client.upgrade();
  const secureEhlo = await client.command('EHLO me.example');
  assert.ok(secureEhlo.text.includes('AUTH PLAIN LOGIN') && !secureEhlo.text.includes('STARTTLS'), secureEhlo.text);
  assert.match((await client.command('MAIL FROM:<alice@example.test>')).text, /^530 5\.7\.0/u);
  assert.match((await client.command('RCPT TO:<x@remote.example>')).text, /^503 5\.5\.1/u);
  client.close();
});

test('wrong password → 535 5.7.8; after 3 failures for a user even the right one gets 454 4.7.0', async () => {
  const client = await RawSmtpClient.connect(fixture.service.ports.submissions ?? 0, { tls: true });
  await client.reply();
  await client.command('EHLO me.example');
  for (let i = 0; i < 3; i++) assert.match((await client.command(`AUTH PLAIN ${plain('bob@example.test', 'wrong password')}`)).text, /^535 5\.7\.8/u);
  assert.match((await client.command(`AUTH PLAIN ${plain('bob@example.test', PASSWORD)}`)).text, /^454 4\.7\.0/u);
  // AUTH LOGIN's two-step exchange, cancel with `*`, and bad base64.
  assert.equal((await client.command('AUTH LOGIN')).text, '334 VXNlcm5hbWU6');
  assert.match((await client.command('*')).text, /^501 5\.0\.0/u);
  assert.match((await client.command('AUTH PLAIN !!!')).text, /^501 5\.5\.2/u);
  assert.match((await client.command('AUTH CRAM-MD5')).text, /^504 5\.5\.4/u);
  assert.equal((await client.command('AUTH PLAIN')).text, '334');
  assert.match((await client.command(plain('alice@example.test', PASSWORD))).text, /^235 2\.7\.0/u);
  assert.match((await client.command('AUTH PLAIN')).text, /^503 5\.5\.1/u);
  client.close();
});
