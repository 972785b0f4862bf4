// The session state machine in memory, no socket: connect/mail policy (DNSBL, rate limits, SPF
// through a table resolver), bare-LF rejection, BDAT sizes. Storage is the real local adapter set.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openLocalStorage } from '../../../../../core/adapters/local/open-local-storage.js';
import { authenticate } from '../../../../../core/auth/authenticate.js';
import { AuthThrottle } from '../../../../../core/auth/auth-throttle.js';
import { silentLogger } from '../../../../../core/log/logger.js';
import type { InboundDeliveryJob } from '../../../../../core/mail/jobs.js';
import type { Storage } from '../../../../../core/ports/index.js';
import { buildSmtpPolicy, type PolicyOptions } from '../../../../../services/smtp-fargate/policy/default-policy.js';
import { dnsblQueryName } from '../../../../../services/smtp-fargate/policy/dnsbl.js';
import { formatReply } from '../../../../../services/smtp-fargate/protocol/reply.js';
import { SmtpSession } from '../../../../../services/smtp-fargate/session/session.js';
import { DEFAULT_SMTP_LIMITS, type SmtpLimits } from '../../../../../services/smtp-fargate/session/types.js';
import { StorageMessageSpool } from '../../../../../services/smtp-fargate/spool/storage-spool.js';
import { queuedJobs, seedDirectory } from '../../../../e2e/smtp/support/smtp-fixture.js';

let storage: Storage;
let dataDir: string;
before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-session-'));
  storage = await openLocalStorage({ dataDir });
  await seedDirectory(storage);
});
after(async () => {
  await storage.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** DNS answers as a table: the pluggable resolver SPF and DNSBL checks take. */
const DNS: Record<string, string[][] | string[]> = {
  'TXT spf-strict.example': [['v=spf1 ip4:192.0.2.0/24 -all']],
  [`A ${dnsblQueryName('198.51.100.66', 'bl.example')}`]: ['127.0.0.2'],
};
function tableResolver(name: string, type: string): Promise<string[][] | string[]> {
  const answer = DNS[`${type} ${name}`];
  if (answer !== undefined) return Promise.resolve(answer);
  return Promise.reject(Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' }));
}

function session(ip: string, policy: Partial<PolicyOptions> = {}, limits: Partial<SmtpLimits> = {}) {
  const resolved = { ...DEFAULT_SMTP_LIMITS, maxMessageBytes: 1000, ...limits };
  const deps = {
    hostname: 'mx.test',
    limits: resolved,
    policy: buildSmtpPolicy({
      directory: storage.directory,
      mailIndex: storage.mailIndex,
      hostname: 'mx.test',
      maxMessageBytes: resolved.maxMessageBytes,
      connectionRate: { max: 100, windowMs: 60_000 },
      messageRate: { max: 100, windowMs: 60_000 },
      dnsblZones: [],
      ...policy,
    }),
    spool: new StorageMessageSpool(storage, silentLogger),
    authenticate: (attempt: { clientIp: string; username: string; password: string }) => authenticate(storage.directory, new AuthThrottle(storage.attempts), attempt),
    logger: silentLogger,
    newMessageId: () => `ID${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
    now: () => new Date('2026-11-30T12:00:00Z'),
  };
  return new SmtpSession(deps, { listener: 'mx', clientIp: ip, tls: false, startTlsAvailable: false });
}

async function talk(s: SmtpSession, text: string | Buffer): Promise<string[]> {
  const out = await s.receive(Buffer.isBuffer(text) ? text : Buffer.from(text));
  return out.replies.map((r) => formatReply(r).trimEnd());
}

test('a client on a DNS blocklist is refused at connect with 554 5.7.1 naming the list', async () => {
  const policy = { dnsblZones: ['bl.example'], resolveA: (name: string) => tableResolver(name, 'A') as Promise<string[]> };
  const listed = await session('198.51.100.66', policy).greet();
  assert.equal(listed.action, 'close');
  assert.equal(formatReply(listed.replies[0] ?? { code: 0, lines: [] }), '554 5.7.1 Service unavailable; client host [198.51.100.66] blocked using bl.example; ask your mail provider to get delisted\r\n');
  assert.equal((await session('198.51.100.67', policy).greet()).action, 'none');
});

test('per-IP connection and message rates → 421 4.7.0', async () => {
  const s = session('192.0.2.52', { messageRate: { max: 1, windowMs: 60_000 } });
  await s.greet();
  await talk(s, 'EHLO c.example\r\n');
  assert.deepEqual(await talk(s, 'MAIL FROM:<a@remote.example>\r\nRSET\r\nMAIL FROM:<a@remote.example>\r\n'), [
    '250 2.1.0 Sender ok',
    '250 2.0.0 Ok',
    '421 4.7.0 Too many messages from your address; slow down and try again later',
  ]);
  const policies = buildSmtpPolicy({
    directory: storage.directory,
    mailIndex: storage.mailIndex,
    hostname: 'h',
    maxMessageBytes: 1,
    connectionRate: { max: 2, windowMs: 60_000 },
    messageRate: { max: 1, windowMs: 60_000 },
    dnsblZones: [],
  });
  const verdicts = [];
  for (let i = 0; i < 3; i++) for (const check of policies.connect) verdicts.push((await check.check({ clientIp: '192.0.2.9', listener: 'mx' })).kind);
  assert.deepEqual(verdicts, ['continue', 'continue', 'tempfail']);
});

test('SPF: fail → 554 5.7.1 at MAIL FROM; other results travel to delivery in the job', async () => {
  const spf = { spf: { resolver: tableResolver, rejectFail: true } };
  const outsider = session('203.0.113.1', spf);
  await outsider.greet();
  await talk(outsider, 'EHLO c.example\r\n');
  const [reply] = await talk(outsider, 'MAIL FROM:<a@spf-strict.example>\r\n');
  assert.match(reply ?? '', /^554 5\.7\.1 SPF check failed: spf-strict\.example does not designate \[203\.0\.113\.1\]/u);

  const insider = session('192.0.2.10', spf);
  await insider.greet();
  assert.deepEqual(await talk(insider, 'EHLO c.example\r\nMAIL FROM:<a@spf-strict.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n'), [
    '250-mx.test greets c.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250-CHUNKING\r\n250-BINARYMIME\r\n250 DSN',
    '250 2.1.0 Sender ok',
    '250 2.1.5 Recipient ok',
    '354 End data with <CR><LF>.<CR><LF>',
  ]);
  const [queued] = await talk(insider, 'Subject: spf\r\n\r\nok\r\n.\r\n');
  assert.match(queued ?? '', /^250 2\.0\.0 Ok: queued as ID/u);
  const [job] = await queuedJobs<InboundDeliveryJob>(storage.inboundQueue);
  assert.equal(job?.spf?.result, 'pass');
  assert.equal(job?.spf?.domain, 'spf-strict.example');
});

test("bare LF in 'reject' mode: 521 5.5.2 and hang up (Postfix smtpd_forbid_bare_newline = reject)", async () => {
  const s = session('192.0.2.20', {}, { bareLineEndings: 'reject' });
  await s.greet();
  assert.deepEqual(await talk(s, 'EHLO c.example\r\nMAIL FROM:<a@remote.example>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n').then((r) => r.length), 4);
  const out = await s.receive(Buffer.from('Subject: x\r\n\r\nbare\nline\r\n.\r\n'));
  assert.equal(out.action, 'close');
  assert.equal(formatReply(out.replies[0] ?? { code: 0, lines: [] }).trimEnd(), '521 5.5.2 Error: bare <LF> or <CR> received; end every line with <CR><LF>');
  assert.deepEqual(await queuedJobs(storage.inboundQueue), []);
  const commands = session('192.0.2.21', {}, { bareLineEndings: 'reject' });
  await commands.greet();
  assert.equal((await commands.receive(Buffer.from('EHLO c.example\n'))).action, 'close');
});

test('BDAT past the size limit: 552 5.3.4 on that chunk, the rest of the transaction gets 503', async () => {
  const s = session('192.0.2.30');
  await s.greet();
  await talk(s, 'EHLO c.example\r\nMAIL FROM:<a@remote.example>\r\nRCPT TO:<bob@example.test>\r\n');
  assert.deepEqual(await talk(s, Buffer.concat([Buffer.from('BDAT 600\r\n'), Buffer.alloc(600, 0x61)])), ['250 2.0.0 600 octets received']);
  assert.deepEqual(await talk(s, Buffer.concat([Buffer.from('BDAT 600\r\n'), Buffer.alloc(600, 0x62)])), ['552 5.3.4 Message size exceeds fixed limit of 1000 octets; send a smaller message']);
  assert.deepEqual(await talk(s, Buffer.concat([Buffer.from('BDAT 5 LAST\r\n'), Buffer.from('hello'), Buffer.from('NOOP\r\n')])), [
    '503 5.5.1 Bad sequence of commands: send MAIL FROM and RCPT TO before BDAT',
    '250 2.0.0 Ok',
  ]);
  assert.deepEqual(await queuedJobs(storage.inboundQueue), []);
});

test('a session fed one byte at a time answers exactly as when fed whole', async () => {
  const script = 'EHLO c.example\r\nMAIL FROM:<a@remote.example>\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<ghost@example.test>\r\nDATA\r\nSubject: b\r\n\r\n..x\r\n.\r\nQUIT\r\n';
  const s = session('192.0.2.40');
  await s.greet();
  const replies: string[] = [];
  for (const byte of Buffer.from(script)) replies.push(...(await talk(s, Buffer.from([byte]))));
  assert.deepEqual(
    replies.map((r) => r.slice(0, 9)),
    ['250-mx.te', '250 2.1.0', '250 2.1.5', '550 5.1.1', '354 End d', '250 2.0.0', '221 2.0.0'],
  );
  assert.equal((await queuedJobs(storage.inboundQueue)).length, 1);
});
