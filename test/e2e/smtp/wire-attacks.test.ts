// What real clients never send, sent byte-exact: SMTP smuggling, STARTTLS injection, pipelining in
// one packet, BDAT chunks, 8-bit and SMTPUTF8, 100 mixed recipients, a client vanishing mid-DATA.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InboundDeliveryJob } from '../../../core/mail/jobs.js';
import { eventuallyTrue } from '../../support/eventually.js';
import { RawSmtpClient } from './support/raw-client.js';
import { queuedJobs, readBlob, spooledBlobs, startSmtpFixture, type SmtpFixture } from './support/smtp-fixture.js';

let fixture: SmtpFixture;
before(async () => {
  fixture = await startSmtpFixture();
});
after(() => fixture.close());

async function transaction(from = 'sender@remote.example', to = 'alice@example.test'): Promise<RawSmtpClient> {
  const client = await RawSmtpClient.connect(fixture.service.ports.smtp);
  await client.reply();
  await client.command('EHLO client.example.org');
  assert.equal((await client.command(`MAIL FROM:<${from}>`)).code, 250);
  assert.equal((await client.command(`RCPT TO:<${to}>`)).code, 250);
  return client;
}

for (const [name, smuggled] of [
  ['<LF>.<LF>', '\n.\n'],
  ['<LF>.<CR><LF>', '\n.\r\n'],
  ['<CR><LF>.<LF>', '\r\n.\n'],
  ['<CR>.<CR>', '\r.\r'],
] as const) {
  test(`smuggling with ${name} yields one message, never two`, async () => {
    const client = await transaction();
    assert.equal((await client.command('DATA')).code, 354);
    client.send(`Subject: outer\r\n\r\nbody${smuggled}MAIL FROM:<evil@remote.example>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n`);
    assert.match((await client.reply()).text, /^250 2\.0\.0 Ok: queued/u);
    assert.equal((await client.command('NOOP')).code, 250, 'no stray replies: the smuggled commands were content');
    const jobs = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
    assert.equal(jobs.length, 1);
    assert.deepEqual(jobs[0]?.envelope.recipients.map((r) => r.address), ['alice@example.test']);
    const stored = (await readBlob(fixture.storage, jobs[0]?.blobKey ?? '')).toString();
    assert.ok(stored.includes('MAIL FROM:<evil@remote.example>'), 'the smuggling attempt is kept as content');
    assert.ok(!/[^\r]\n/u.test(stored) && !/\r[^\n]/u.test(stored), 'bare line endings are normalised to CRLF');
    client.close();
  });
}

test('STARTTLS injection: commands pipelined behind STARTTLS in the same packet are discarded', async () => {
  const client = await RawSmtpClient.connect(fixture.service.ports.smtp);
  await client.reply();
  await client.command('EHLO client.example.org');
  client.send('STARTTLS\r\nMAIL FROM:<injected@remote.example>\r\nRCPT TO:<alice@example.test>\r\n');
  assert.equal((await client.reply()).code, 220);
  await client.upgrade();
  // Had the injected MAIL survived, it would now be a nested MAIL (503) or RCPT would succeed.
  assert.match((await client.command('RCPT TO:<alice@example.test>')).text, /^503 5\.5\.1 Bad sequence of commands: send EHLO first/u);
  assert.equal((await client.command('EHLO client.example.org')).code, 250);
  assert.equal((await client.command('MAIL FROM:<sender@remote.example>')).code, 250);
  client.close();
});

test('pipelining: a whole transaction in one packet gets every reply, in order', async () => {
  const client = await RawSmtpClient.connect(fixture.service.ports.smtp);
  await client.reply();
  client.send('EHLO c.example\r\nMAIL FROM:<s@remote.example>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n');
  const codes = [];
  for (let i = 0; i < 6; i++) codes.push((await client.reply()).code);
  assert.deepEqual(codes, [250, 250, 250, 550, 250, 354]);
  client.send('Subject: p\r\n\r\nbody\r\n.\r\nRSET\r\nMAIL FROM:<s2@remote.example>\r\nQUIT\r\n');
  assert.match((await client.reply()).text, /^250 2\.0\.0 Ok: queued/u);
  assert.deepEqual([(await client.reply()).code, (await client.reply()).code, (await client.reply()).code], [250, 250, 221]);
  await client.waitClosed();
  const [job] = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
  assert.deepEqual(job?.envelope.recipients.map((r) => r.address), ['alice@example.test', 'bob@example.test']);
});

test('BDAT chunks (BINARYMIME) are stored verbatim: no dot handling, bare LF kept', async () => {
  const client = await transaction();
  const content = Buffer.from('Subject: bin\r\n\r\n.\r\n\n.\n\x00\xff');
  assert.match((await client.command('MAIL FROM:<x@remote.example> BODY=BINARYMIME')).text, /^503/u, 'nested MAIL still refused');
  client.send(Buffer.concat([Buffer.from(`BDAT 10\r\n`), content.subarray(0, 10)]));
  assert.match((await client.reply()).text, /^250 2\.0\.0 10 octets received/u);
  client.send(Buffer.concat([Buffer.from(`BDAT ${content.length - 10} LAST\r\n`), content.subarray(10)]));
  assert.match((await client.reply()).text, /^250 2\.0\.0 Ok: queued/u);
  const [job] = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
  const blob = await readBlob(fixture.storage, job?.blobKey ?? '');
  assert.ok(blob.subarray(blob.length - content.length).equals(content));
  // BDAT without a transaction: its octets are read and dropped, the session stays in step.
  client.send('BDAT 6 LAST\r\nNOOP\r\nNOOP\r\n');
  assert.match((await client.reply()).text, /^503 5\.5\.1/u);
  assert.equal((await client.reply()).code, 250);
  client.close();
});

test('BODY=BINARYMIME refuses DATA; 8BITMIME and SMTPUTF8 content and addresses arrive intact', async () => {
  const client = await RawSmtpClient.connect(fixture.service.ports.smtp);
  await client.reply();
  await client.command('EHLO c.example');
  await client.command('MAIL FROM:<s@remote.example> BODY=BINARYMIME');
  await client.command('RCPT TO:<alice@example.test>');
  assert.match((await client.command('DATA')).text, /^503 5\.5\.1 .*BDAT/u);
  await client.command('RSET');
  assert.match((await client.command('MAIL FROM:<jürgen@remote.example>')).text, /^553 5\.6\.7/u);
  assert.equal((await client.command('MAIL FROM:<jürgen@remote.example> BODY=8BITMIME SMTPUTF8')).code, 250);
  assert.equal((await client.command('RCPT TO:<alice@example.test>')).code, 250);
  assert.equal((await client.command('DATA')).code, 354);
  const body = 'Subject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\nFrom: Jürgen <jürgen@remote.example>\r\n\r\n郵便 — ümlaut\r\n';
  client.send(`${body}.\r\n`);
  assert.equal((await client.reply()).code, 250);
  const [job] = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
  assert.equal(job?.envelope.mailFrom, 'jürgen@remote.example');
  assert.equal(job?.envelope.smtpUtf8, true);
  assert.equal(job?.envelope.bodyType, '8BITMIME');
  const blob = await readBlob(fixture.storage, job?.blobKey ?? '');
  assert.match(blob.toString('utf8'), /with UTF8SMTP id /u);
  assert.ok(blob.toString('utf8').endsWith(body));
  client.close();
});

test('100 recipients mixing valid and invalid: each gets its reply, the job holds the valid ones', async () => {
  const client = await transaction('s@remote.example', 'alice@example.test');
  const sent: string[] = [];
  let batch = '';
  for (let i = 1; i < 100; i++) {
    const address = i % 3 === 0 ? `nobody${i}@example.test` : i % 3 === 1 ? `alice+${i}@example.test` : `x${i}@elsewhere.example`;
    sent.push(address);
    batch += `RCPT TO:<${address}>\r\n`;
  }
  client.send(batch);
  const accepted = ['alice@example.test'];
  for (const address of sent) {
    const reply = await client.reply();
    if (address.startsWith('nobody')) assert.match(reply.text, /^550 5\.1\.1/u);
    else if (address.startsWith('x')) assert.match(reply.text, /^554 5\.7\.1/u);
    else {
      assert.equal(reply.code, 250);
      accepted.push(address);
    }
  }
  for (let i = 0; accepted.length < 100; i++) {
    assert.equal((await client.command(`RCPT TO:<alice+extra${i}@example.test>`)).code, 250);
    accepted.push(`alice+extra${i}@example.test`);
  }
  assert.match((await client.command('RCPT TO:<bob@example.test>')).text, /^452 4\.5\.3/u, 'the 101st accepted recipient waits for another message');
  assert.equal((await client.command('DATA')).code, 354);
  client.send('Subject: many\r\n\r\nhi\r\n.\r\n');
  assert.equal((await client.reply()).code, 250);
  const [job] = await queuedJobs<InboundDeliveryJob>(fixture.storage.inboundQueue);
  assert.deepEqual(job?.envelope.recipients.map((r) => r.address), accepted);
  client.close();
});

test('a client vanishing mid-DATA leaves nothing queued and no blob', async () => {
  const blobsBefore = await spooledBlobs(fixture.dataDir);
  const client = await transaction();
  assert.equal((await client.command('DATA')).code, 354);
  // Over the 64 KiB inline limit: the part already spooled is a temp file in blobs/spool/.
  client.send(`Subject: cut\r\n\r\n${'line of text\r\n'.repeat(5000)}`);
  client.close();
  // The server notices the close and aborts: no blob (nor temp file) is left behind.
  const same = (keys: string[]) => JSON.stringify(keys.sort()) === JSON.stringify([...blobsBefore].sort());
  await eventuallyTrue(async () => same(await spooledBlobs(fixture.dataDir)), 'the aborted spool to be removed', 10_000);
  assert.deepEqual(await queuedJobs(fixture.storage.inboundQueue), []);
});

test('an over-long command line → 500 5.5.2 and the session goes on', async () => {
  const client = await RawSmtpClient.connect(fixture.service.ports.smtp);
  await client.reply();
  assert.match((await client.command(`EHLO ${'a'.repeat(5000)}`)).text, /^500 5\.5\.2 Line too long/u);
  assert.equal((await client.command('EHLO ok.example')).code, 250);
  client.close();
});
