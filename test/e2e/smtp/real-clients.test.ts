// Python's smtplib and swaks against the MX and submission ports: the clients admins use to test.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { InboundDeliveryJob, OutboundDeliveryJob } from '../../../core/mail/jobs.js';
import { PASSWORD, queuedJobs, readBlob, startSmtpFixture, type SmtpFixture } from './support/smtp-fixture.js';

const run = promisify(execFile);
let fixture: SmtpFixture;
before(async () => {
  fixture = await startSmtpFixture();
});
after(() => fixture.close());

const PYTHON_SUBMIT = `
import smtplib, ssl, sys
port, password = int(sys.argv[1]), sys.argv[2]
context = ssl.create_default_context(); context.check_hostname = False; context.verify_mode = ssl.CERT_NONE
with smtplib.SMTP('127.0.0.1', port, timeout=20) as s:
    s.starttls(context=context)
    s.login('alice@example.test', password)
    refused = s.sendmail('alice@example.test', ['bob@example.test', 'far@remote.example'], b'Subject: from python\\r\\n\\r\\n.dot line\\r\\n8bit \\xc3\\xa9\\r\\n')
    print('refused', refused)
    try:
        s.sendmail('mallory@example.test', ['bob@example.test'], b'Subject: spoof\\r\\n\\r\\nx\\r\\n')
    except smtplib.SMTPSenderRefused as e:
        print('sender refused', e.smtp_code, e.smtp_error.decode())
`;

test('python smtplib: STARTTLS, AUTH PLAIN, dot-stuffing round trip, 553 for a foreign sender', async () => {
  const { stdout } = await run('python3', ['-c', PYTHON_SUBMIT, String(fixture.service.ports.submission), PASSWORD], { timeout: 30_000 });
  assert.match(stdout, /^refused \{\}$/mu);
  assert.match(stdout, /^sender refused 553 5\.7\.1 <mallory@example\.test>: Sender address rejected: not owned by user alice@example\.test/mu);
  const [inbound] = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
  const [outbound] = await queuedJobs<OutboundDeliveryJob>(fixture.storage.outboundQueue);
  assert.deepEqual(inbound?.envelope.recipients.map((r) => r.address), ['bob@example.test']);
  assert.deepEqual(outbound?.envelope.recipients.map((r) => r.address), ['far@remote.example']);
  const blob = await readBlob(fixture.storage, inbound?.blobKey ?? '');
  assert.ok(blob.toString('utf8').endsWith('Subject: from python\r\n\r\n.dot line\r\n8bit é\r\n'), 'smtplib stuffed the dot, we unstuffed it');
});

test('python smtplib to MX: 550 5.1.1 for an unknown user reaches the client as a refused recipient', async () => {
  const script = `
import smtplib, sys
with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20) as s:
    print(s.sendmail('x@remote.example', ['alice@example.test', 'ghost@example.test'], b'Subject: hi\\r\\n\\r\\nhello\\r\\n'))
`;
  const { stdout } = await run('python3', ['-c', script, String(fixture.service.ports.smtp)], { timeout: 30_000 });
  assert.match(stdout, /'ghost@example\.test': \(550, b'5\.1\.1 <ghost@example\.test>: Recipient address rejected: User unknown/u);
  assert.equal((await queuedJobs(fixture.storage.inboundQueue)).length, 1);
});

test('swaks: plain MX delivery and submission over implicit TLS with AUTH LOGIN', async () => {
  const mx = await run('swaks', ['--server', '127.0.0.1', '--port', String(fixture.service.ports.smtp), '--from', 'a@remote.example', '--to', 'sales@example.test', '--helo', 'swaks.example', '--body', 'swaks body'], { timeout: 30_000 });
  assert.match(mx.stdout, /<[-~] {2}250 2\.0\.0 Ok: queued as/u);
  const submit = await run(
    'swaks',
    ['--server', '127.0.0.1', '--port', String(fixture.service.ports.submissions), '--tlsc', '--auth', 'LOGIN', '--auth-user', 'alice@example.test', '--auth-password', PASSWORD, '--from', 'alice@example.test', '--to', 'out@remote.example'],
    { timeout: 30_000 },
  );
  assert.match(submit.stdout, /235 2\.7\.0 Authentication successful/u);
  assert.match(submit.stdout, /<[-~] {2}250 2\.0\.0 Ok: queued as/u);
  assert.equal((await queuedJobs(fixture.storage.inboundQueue)).length, 1);
  assert.equal((await queuedJobs(fixture.storage.outboundQueue)).length, 1);
  const relay = await run('swaks', ['--server', '127.0.0.1', '--port', String(fixture.service.ports.smtp), '--from', 'a@remote.example', '--to', 'victim@elsewhere.example', '--quit-after', 'RCPT'], { timeout: 30_000 }).catch(
    (error: { stdout: string }) => error,
  );
  assert.match(relay.stdout, /<\*\* 554 5\.7\.1 <victim@elsewhere\.example>: Relay access denied/u, 'no open relay');
});
