// The newcomer's path (issue 9, design brief §1): `npm start` on an empty data dir prints how to
// connect; mail sent to the demo user over SMTP is read back over IMAP and POP3 with real clients,
// and SIGTERM stops the server cleanly. The server runs as a child process, on ports it picks itself.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';

const root = path.resolve(import.meta.dirname, '../../..');
let dataDir: string;
let server: ChildProcess;
let output = '';
const ports: Record<string, number> = {};
let password = '';

function field(label: string): string {
  const match = new RegExp(`^\\s+${label.replace(/[()]/g, '\\$&')}\\s+(\\S+)`, 'm').exec(output);
  assert.ok(match, `"${label}" missing from the start-up table:\n${output}`);
  return match[1]!;
}

/** The demo user's clients, as a newcomer would configure them from the start-up table. */
function demoSubmission() {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: ports.submission,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: 'demo@example.test', pass: password },
  });
}

function demoImap(): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: ports.imaps!,
    secure: true,
    tls: { rejectUnauthorized: false },
    auth: { user: 'demo@example.test', pass: password },
    logger: false,
  });
}

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-npm-start-'));
  const portEnv = Object.fromEntries(
    ['SMTP', 'SUBMISSION', 'SUBMISSIONS', 'IMAP', 'IMAPS', 'POP3', 'POP3S', 'AUTOCONFIG', 'HTTPS'].map((name) => [
      `YUBIN_${name}_PORT`,
      '0',
    ]),
  );
  server = spawn(process.execPath, ['--import', 'tsx', 'bin/yubin-server.ts'], {
    cwd: root,
    env: { ...process.env, ...portEnv, YUBIN_DATA_DIR: dataDir, YUBIN_BACKEND: 'local' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!/Password\s+\S+/.test(output)) {
    assert.ok(Date.now() < deadline && server.exitCode === null, `server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const [name, label] of [
    ['smtp', 'SMTP (MX, no auth)'],
    ['submission', 'SMTP submission (STARTTLS)'],
    ['imaps', 'IMAP (TLS)'],
  ] as const) {
    ports[name] = Number(field(label).split(':')[1]);
  }
  password = field('Password');
});

after(async () => {
  if (server.exitCode === null) server.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

test('the start-up table names the demo user and real ports', () => {
  assert.equal(field('Address'), 'demo@example.test');
  assert.ok(password.length >= 12);
  for (const port of Object.values(ports)) assert.ok(port > 0);
});

test('mail sent to the demo user over SMTP lands in INBOX over IMAP; submission needs the password', async () => {
  const mx = nodemailer.createTransport({ host: '127.0.0.1', port: ports.smtp, secure: false, ignoreTLS: true });
  await mx.sendMail({ from: 'friend@remote.test', to: 'demo@example.test', subject: 'Welcome to Yubin', text: 'It works.' });

  const submission = demoSubmission();
  await submission.sendMail({ from: 'demo@example.test', to: 'demo@example.test', subject: 'Note to self', text: 'Sent with AUTH.' });
  const wrong = nodemailer.createTransport({ ...submission.options, auth: { user: 'demo@example.test', pass: 'wrong password' } } as never);
  await assert.rejects(wrong.sendMail({ from: 'demo@example.test', to: 'demo@example.test', text: 'x' }), /535/);

  const imap = demoImap();
  await imap.connect();
  try {
    const subjects = new Set<string>();
    const deadline = Date.now() + 30_000;
    while (subjects.size < 2 && Date.now() < deadline) {
      const lock = await imap.getMailboxLock('INBOX');
      try {
        for await (const message of imap.fetch('1:*', { envelope: true })) subjects.add(message.envelope?.subject ?? '');
      } catch {
        // an empty mailbox has no 1:*; poll again
      } finally {
        lock.release();
      }
      if (subjects.size < 2) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.deepEqual([...subjects].sort(), ['Note to self', 'Welcome to Yubin']);
    const folders = (await imap.list())
      .map((folder) => folder.specialUse)
      .filter(Boolean)
      .sort();
    assert.deepEqual(folders, ['\\Archive', '\\Drafts', '\\Inbox', '\\Junk', '\\Sent', '\\Trash']);
  } finally {
    await imap.logout();
  }
});

test('mail submitted to a remote address ends in the sender Outbox (sink egress), visible over IMAP', async () => {
  const submission = demoSubmission();
  await submission.sendMail({
    from: 'demo@example.test',
    to: 'someone@far-away.test',
    subject: 'Leaving the machine?',
    text: 'Not in sink mode.',
  });
  const imap = demoImap();
  await imap.connect();
  try {
    let source = '';
    const deadline = Date.now() + 30_000;
    while (source === '' && Date.now() < deadline) {
      if ((await imap.list()).some((folder) => folder.path === 'Outbox')) {
        const lock = await imap.getMailboxLock('Outbox');
        try {
          for await (const message of imap.fetch('1:*', { source: true })) source = message.source?.toString('utf8') ?? '';
        } catch {
          // empty so far; poll again
        } finally {
          lock.release();
        }
      }
      if (source === '') await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.match(source, /Subject: Leaving the machine\?/);
  } finally {
    await imap.logout();
  }
});

test('Thunderbird autoconfig for the demo domain names the running IMAP port', async () => {
  const url = field('Autoconfig (HTTP)');
  const response = await fetch(`${url}?emailaddress=demo@example.test`);
  assert.equal(response.status, 200);
  const xml = await response.text();
  assert.match(xml, /<emailProvider id="example.test">/);
  assert.match(xml, new RegExp(`<incomingServer type="imap">[\\s\\S]*?<port>${ports.imaps}</port>`));
});

test('the MTA-STS policy of the demo domain is served over HTTPS on mta-sts.example.test', async () => {
  const url = new URL(field('Autoconfig/MTA-STS (HTTPS)'));
  const policy = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    // The certificate is the self-signed one of first start: accept it, as the table says.
    const request = https.get(
      {
        host: url.hostname,
        port: url.port,
        path: '/.well-known/mta-sts.txt',
        headers: { host: 'mta-sts.example.test' },
        rejectUnauthorized: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
  });
  assert.equal(policy.status, 200);
  assert.match(policy.body, /^version: STSv1\r\nmode: enforce\r\nmx: \S+\r\nmax_age: \d+\r\n$/u);
});

test('SIGTERM stops the server cleanly', async () => {
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  server.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(output, /"msg":"stopped"/);
});
