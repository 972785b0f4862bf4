// MX ingress over a real socket: every RCPT/MAIL reply of issue 3, RSET, sequence errors, and what
// lands in the queue and the blob store.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InboundDeliveryJob } from '../../../core/mail/jobs.js';
import { RawSmtpClient } from './support/raw-client.js';
import { queuedJobs, readBlob, startSmtpFixture, type SmtpFixture } from './support/smtp-fixture.js';

let fixture: SmtpFixture;
before(async () => {
  fixture = await startSmtpFixture({ maxMessageBytes: 10_000 });
});
after(() => fixture.close());

async function mx(): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(fixture.service.ports.smtp);
  assert.match((await client.reply()).text, /^220 mx\.example\.test ESMTP/u);
  return client;
}

test('EHLO advertises the extensions of issue 3, and no AUTH on MX', async () => {
  const client = await mx();
  const ehlo = await client.command('EHLO client.example.org');
  assert.equal(ehlo.code, 250);
  for (const keyword of ['PIPELINING', 'SIZE 10000', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'CHUNKING', 'BINARYMIME', 'DSN', 'STARTTLS']) {
    assert.ok(ehlo.text.includes(`250-${keyword}`) || ehlo.text.includes(`250 ${keyword}`), `${keyword} in ${ehlo.text}`);
  }
  assert.ok(!ehlo.text.includes('AUTH'));
  client.close();
});

test('RCPT replies: user, alias, catch-all, sub-address → 250; unknown 550 5.1.1; moved 551 5.1.6; full 552 5.2.2; relay 554 5.7.1', async () => {
  const client = await mx();
  await client.command('EHLO client.example.org');
  assert.match((await client.command('MAIL FROM:<sender@remote.example>')).text, /^250 2\.1\.0/u);
  const expectations: [string, RegExp][] = [
    ['alice@example.test', /^250 2\.1\.5/u],
    ['Bob@Example.TEST', /^250 2\.1\.5/u],
    ['sales@example.test', /^250 2\.1\.5/u],
    ['anyone@catchall.test', /^250 2\.1\.5/u],
    ['alice+news@example.test', /^250 2\.1\.5/u],
    ['nobody@example.test', /^550 5\.1\.1 <nobody@example\.test>: Recipient address rejected: User unknown/u],
    ['dave@example.test', /^551 5\.1\.6 User not local; please try <dave@new\.example>/u],
    ['carol@example.test', /^552 5\.2\.2 <carol@example\.test>: Mailbox full/u],
    ['someone@elsewhere.example', /^554 5\.7\.1 <someone@elsewhere\.example>: Relay access denied/u],
    ['not-an-address', /^501 5\.1\.3/u],
  ];
  for (const [recipient, expected] of expectations) assert.match((await client.command(`RCPT TO:<${recipient}>`)).text, expected, recipient);
  client.close();
});

test('SIZE above the limit → 552 5.3.4; a stream above it → 552 5.3.4 and nothing stored or queued', async () => {
  const client = await mx();
  await client.command('EHLO client.example.org');
  assert.match((await client.command('MAIL FROM:<s@remote.example> SIZE=10001')).text, /^552 5\.3\.4 Message size exceeds fixed limit of 10000/u);
  assert.equal((await client.command('MAIL FROM:<s@remote.example> SIZE=100')).code, 250);
  assert.equal((await client.command('RCPT TO:<alice@example.test>')).code, 250);
  assert.equal((await client.command('DATA')).code, 354);
  client.send(`Subject: big\r\n\r\n${'x'.repeat(78)}\r\n`.repeat(200) + '.\r\n');
  assert.match((await client.reply()).text, /^552 5\.3\.4/u);
  assert.equal((await client.command('NOOP')).code, 250, 'session still in step after the refused content');
  assert.deepEqual(await queuedJobs(fixture.storage.inboundQueue), []);
  client.close();
});

test('sequence errors, syntax errors, RSET, VRFY, HELP, NOOP, QUIT', async () => {
  const client = await mx();
  assert.match((await client.command('MAIL FROM:<a@b.example>')).text, /^503 5\.5\.1 Bad sequence of commands: send EHLO first/u);
  assert.match((await client.command('FROB')).text, /^500 5\.5\.1/u);
  await client.command('EHLO client.example.org');
  assert.match((await client.command('RCPT TO:<alice@example.test>')).text, /^503 5\.5\.1/u);
  assert.match((await client.command('MAIL FROM:<a@b.example> FOO=bar')).text, /^555 5\.5\.4/u);
  assert.match((await client.command('MAIL FROM:a@b.example')).text, /^501 5\.5\.4/u);
  assert.equal((await client.command('MAIL FROM:<a@b.example>')).code, 250);
  assert.match((await client.command('MAIL FROM:<a@b.example>')).text, /^503 5\.5\.1 .*nested/u);
  assert.match((await client.command('DATA')).text, /^554 5\.5\.1 No valid recipients/u);
  assert.equal((await client.command('RSET')).code, 250);
  assert.match((await client.command('RCPT TO:<alice@example.test>')).text, /^503 5\.5\.1/u, 'RSET ended the transaction');
  assert.match((await client.command('VRFY alice@example.test')).text, /^252 2\.5\.0/u);
  assert.match((await client.command('HELP')).text, /^214/mu);
  assert.match((await client.command('NOOP')).text, /^250 2\.0\.0/u);
  assert.match((await client.command('AUTH PLAIN AGFsaWNlAHg=')).text, /^530 5\.7\.0 Must issue a STARTTLS/u);
  assert.match((await client.command('QUIT')).text, /^221 2\.0\.0/u);
  await client.waitClosed();
});

test('a message is stored byte-exact after our Received header, and one inbound job names it', async () => {
  const client = await mx();
  await client.command('EHLO client.example.org');
  await client.command('MAIL FROM:<sender@remote.example> RET=HDRS ENVID=abc+2Bdef');
  await client.command('RCPT TO:<alice@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice+40example.test');
  await client.command('RCPT TO:<sales@example.test>');
  assert.equal((await client.command('DATA')).code, 354);
  // Dot-stuffing: `..` lines arrive as `.`; a line of one dot inside needs stuffing too.
  client.send('Subject: dots\r\n\r\n..leading dot\r\n...\r\n..\r\nend\r\n.\r\n');
  const queued = await client.reply();
  assert.match(queued.text, /^250 2\.0\.0 Ok: queued as [0-9A-Z]+$/u);
  const id = queued.text.split(' ').pop();
  const [job, ...more] = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
  assert.equal(more.length, 0);
  assert.ok(job);
  assert.equal(job.messageId, id);
  assert.equal(job.envelope.mailFrom, 'sender@remote.example');
  assert.equal(job.envelope.dsnReturn, 'HDRS');
  assert.equal(job.envelope.dsnEnvelopeId, 'abc+def');
  assert.deepEqual(
    job.envelope.recipients.map((r) => [r.address, r.notify, r.orcpt]),
    [
      ['alice@example.test', ['SUCCESS', 'FAILURE'], 'rfc822;alice@example.test'],
      ['sales@example.test', undefined, undefined],
    ],
  );
  assert.equal(job.client.ip, '127.0.0.1');
  const blob = await readBlob(fixture.storage, job.blobKey);
  const text = blob.toString('utf8');
  assert.match(text, /^Received: from client\.example\.org \(\[127\.0\.0\.1\]\)\r\n\tby mx\.example\.test \(Yubin\) with ESMTP id /u);
  assert.ok(text.endsWith('\r\nSubject: dots\r\n\r\n.leading dot\r\n..\r\n.\r\nend\r\n'), JSON.stringify(text));
  assert.equal(job.sizeBytes, blob.length);
  client.close();
});
