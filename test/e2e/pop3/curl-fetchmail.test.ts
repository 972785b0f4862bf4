// POP3 with curl (pop3:// with STLS, pop3s://) and fetchmail in batch mode, the way people fetch
// mail from scripts and cron jobs.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { binaryishMessage, dotLeadingMessage, numberedMessage } from './messages.js';
import { PASSWORD, run, withServer, type Pop3TestServer } from './pop3-harness.js';

const credentials = `alice@example.test:${PASSWORD}`;

test('curl pop3:// with --ssl-reqd (STLS): LIST, and RETR byte for byte', () =>
  withServer(async (server) => {
    const messages = [binaryishMessage(), dotLeadingMessage()];
    for (const message of messages) await server.deliver(message);
    const base = `pop3://127.0.0.1:${server.service.ports.pop3}`;
    const list = await run('curl', ['-sS', '--ssl-reqd', '-k', '-u', credentials, `${base}/`]);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout.toString(), messages.map((m, i) => `${i + 1} ${m.length}\r\n`).join(''));
    for (const [index, message] of messages.entries()) {
      const retr = await run('curl', ['-sS', '--ssl-reqd', '-k', '-u', credentials, `${base}/${index + 1}`]);
      assert.equal(retr.code, 0, retr.stderr);
      assert.deepEqual(retr.stdout, message);
    }
  }));

test('curl pop3:// without TLS cannot log in; pop3s:// (implicit TLS) with AUTH PLAIN can', () =>
  withServer(async (server) => {
    await server.deliver(dotLeadingMessage());
    const plain = await run('curl', ['-sS', '-u', credentials, `pop3://127.0.0.1:${server.service.ports.pop3}/1`]);
    assert.equal(plain.code, 67, 'curl: login denied'); // USER refused before TLS
    const tls = await run('curl', ['-sS', '-k', '--login-options', 'AUTH=PLAIN', '-u', credentials, `pop3s://127.0.0.1:${server.service.ports.pop3s}/1`]);
    assert.equal(tls.code, 0, tls.stderr);
    assert.deepEqual(tls.stdout, dotLeadingMessage());
    const uidl = await run('curl', ['-sS', '-k', '-u', credentials, '-X', 'UIDL', `pop3s://127.0.0.1:${server.service.ports.pop3s}/`]);
    assert.match(uidl.stdout.toString(), /^1 \d+\.\d+\r\n$/);
  }));

async function fetchmail(server: Pop3TestServer, home: string, options: { keep: boolean }): Promise<{ code: number; delivered: Buffer[] }> {
  const outDir = await mkdtemp(path.join(home, 'out-'));
  const rcFile = path.join(home, 'fetchmailrc');
  await writeFile(
    rcFile,
    [
      'set no bouncemail',
      'set invisible',
      `poll 127.0.0.1 protocol pop3 port ${server.service.ports.pop3s} uidl`,
      `  user "alice@example.test" there with password "${PASSWORD}" is "alice" here`,
      `  ssl no sslcertck ${options.keep ? 'keep' : 'nokeep fetchall'}`,
      `  mda "/bin/sh -c 'cat > ${outDir}/m.$$'"`,
      '',
    ].join('\n'),
  );
  await chmod(rcFile, 0o600);
  const env = { ...process.env, HOME: home, FETCHMAILHOME: home };
  const args = ['--fetchmailrc', rcFile, '--idfile', path.join(home, 'fetchids'), '--nodetach', '--nosyslog', '--silent'];
  const result = await run('fetchmail', args, { env });
  const names = (await readdir(outDir)).sort();
  const delivered = await Promise.all(names.map((name) => readFile(path.join(outDir, name))));
  return { code: result.code, delivered };
}

test('fetchmail batch: "keep" with UIDL never downloads twice; "nokeep" empties the INBOX', () =>
  withServer(async (server) => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'yubin-fetchmail-'));
    try {
      const messages = [dotLeadingMessage(), numberedMessage('fetch me')];
      for (const message of messages) await server.deliver(message);
      const lf = (bytes: Buffer) => bytes.toString('latin1').replaceAll('\r\n', '\n');

      const first = await fetchmail(server, home, { keep: true });
      assert.equal(first.code, 0, 'fetchmail exit 0 = mail retrieved');
      assert.deepEqual(first.delivered.map(lf).sort(), messages.map(lf).sort());

      const second = await fetchmail(server, home, { keep: true });
      assert.equal(second.code, 1, 'fetchmail exit 1 = no new mail');
      assert.equal(second.delivered.length, 0);
      assert.equal((await server.inboxUids()).length, 2);

      await server.deliver(numberedMessage('third'));
      const third = await fetchmail(server, home, { keep: false });
      assert.equal(third.code, 0);
      assert.equal(third.delivered.length, 3, 'fetchall downloads everything and deletes it');
      assert.deepEqual(await server.inboxUids(), []);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }));
