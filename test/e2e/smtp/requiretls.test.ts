// REQUIRETLS (RFC 8689) at the front door, with Python's smtplib and nodemailer: offered only once
// TLS is up, refused in plaintext with 530 5.7.10, and carried in the job when accepted, so egress
// can honour it (test/e2e/egress/requiretls.test.ts).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import type { InboundDeliveryJob, OutboundDeliveryJob } from '../../../core/mail/jobs.js';
import { PASSWORD, queuedJobs, startSmtpFixture, type SmtpFixture } from './support/smtp-fixture.js';

const run = promisify(execFile);
let fixture: SmtpFixture;
before(async () => {
  fixture = await startSmtpFixture();
});
after(() => fixture.close());

// Prints the EHLO keywords before and after STARTTLS, then tries MAIL … REQUIRETLS both ways.
const PYTHON_MX = `
import smtplib, ssl, sys
context = ssl.create_default_context(); context.check_hostname = False; context.verify_mode = ssl.CERT_NONE
with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20) as s:
    s.ehlo('client.remote.example')
    print('plain offers', s.has_extn('requiretls'))
    print('plain mail', *s.mail('sender@remote.example', ['REQUIRETLS']))
    s.rset()
    s.starttls(context=context)
    s.ehlo('client.remote.example')
    print('tls offers', s.has_extn('requiretls'))
    print('tls refused', s.sendmail('sender@remote.example', ['alice@example.test'], b'Subject: secret\\r\\n\\r\\nonly over TLS\\r\\n', mail_options=['REQUIRETLS']))
`;

test('MX with smtplib: REQUIRETLS offered only after STARTTLS; in plaintext 530 5.7.10; over TLS accepted and in the job', async () => {
  const { stdout } = await run('python3', ['-c', PYTHON_MX, String(fixture.service.ports.smtp)], { timeout: 30_000 });
  assert.match(stdout, /^plain offers False$/mu);
  assert.match(stdout, /^plain mail 530 b'5\.7\.10 REQUIRETLS requires TLS; issue STARTTLS first/mu);
  assert.match(stdout, /^tls offers True$/mu);
  assert.match(stdout, /^tls refused \{\}$/mu);
  const jobs = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
  assert.equal(jobs.length, 1, 'only the message sent over TLS was queued');
  assert.equal(jobs[0]?.envelope.requireTls, true);
  assert.equal(jobs[0]?.client.tls, true);
});

test('submission with nodemailer: REQUIRETLS reaches the outbound job; a message without it does not carry it', async () => {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: fixture.service.ports.submission,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: 'alice@example.test', pass: PASSWORD },
  });
  try {
    await transport.sendMail({ from: 'alice@example.test', to: 'far@remote.example', subject: 'must stay encrypted', text: 'x', requireTLSExtensionEnabled: true });
    await transport.sendMail({ from: 'alice@example.test', to: 'near@remote.example', subject: 'ordinary', text: 'y' });
  } finally {
    transport.close();
  }
  const jobs = await queuedJobs<OutboundDeliveryJob>(fixture.storage.outboundQueue);
  const byRecipient = new Map(jobs.map((job) => [job.envelope.recipients[0]?.address, job]));
  assert.equal(byRecipient.get('far@remote.example')?.envelope.requireTls, true);
  assert.equal(byRecipient.get('near@remote.example')?.envelope.requireTls, undefined);
});
