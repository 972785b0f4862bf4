// getmail6 against Yubin: POP3 over implicit TLS (UIDL to remember what it fetched, DELE to delete)
// and IMAP over implicit TLS (UID FETCH, STORE \Deleted + EXPUNGE), both verifying the test CA.
// The messages must arrive byte for byte (getmail adds Return-Path and writes LF line ends).
// getmail's Maildir destination refuses to run as root (as CI does), so an external MDA writes files.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ADDRESS, PASSWORD, missingBinary, numberedMessage, runClient, withInteropServer, type InteropServer } from './interop-server.js';

/** Messages that trip naive clients: dot-leading lines, 8-bit UTF-8, a long line, an empty body. */
function awkwardMessages(): string[] {
  return [
    numberedMessage(1),
    ['From: a@example.org', 'Subject: dots', 'Message-ID: <dots@example.org>', '', '.', '..leading dots', '.', 'end', ''].join('\r\n'),
    [
      'From: 山田 <yamada@example.jp>',
      'Subject: =?UTF-8?B?5pel5pys6Kqe?=',
      'Message-ID: <utf8@example.jp>',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      '本文です。'.repeat(40),
      'x'.repeat(990),
      '',
    ].join('\r\n'),
    ['From: b@example.org', 'Subject: empty body', 'Message-ID: <empty@example.org>', '', ''].join('\r\n'),
  ];
}

type Retriever = { type: 'SimplePOP3SSLRetriever'; port: number } | { type: 'SimpleIMAPSSLRetriever'; port: number; mailboxes: string[] };

async function getmail(server: InteropServer, retriever: Retriever, options: { delete: boolean; readAll: boolean }): Promise<string[]> {
  const dir = path.join(server.home, 'getmail');
  const outDir = path.join(dir, `out-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  await mkdir(outDir, { recursive: true });
  const rcFile = path.join(dir, 'getmailrc');
  await writeFile(
    rcFile,
    [
      '[retriever]',
      `type = ${retriever.type}`,
      'server = localhost', // the certificate's name; the server listens on 127.0.0.1
      `port = ${retriever.port}`,
      `username = ${ADDRESS}`,
      `password = ${PASSWORD}`,
      `ca_certs = ${server.ca.caPath}`,
      // record_mailbox: no X-getmail-retrieved-from-mailbox header, so the bytes stay as sent;
      // use_peek = false: FETCH RFC822 instead of BODY.PEEK[]; getmail SELECTs read-only (EXAMINE)
      // unless it deletes, and then even RFC822 must not set \Seen (RFC 3501 §6.3.2).
      ...(retriever.type === 'SimpleIMAPSSLRetriever'
        ? [`mailboxes = (${retriever.mailboxes.map((name) => `"${name}"`).join(', ')},)`, 'record_mailbox = false', 'use_peek = false']
        : []),
      '',
      '[destination]',
      'type = MDA_external',
      'path = /bin/sh',
      `arguments = ("-c", "cat > \\"$0\\"/$$", "${outDir}")`,
      'allow_root_commands = true',
      '',
      '[options]',
      `delete = ${options.delete}`,
      `read_all = ${options.readAll}`,
      'delivered_to = false',
      'received = false',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const result = await runClient(server, 'getmail', ['--getmaildir', dir, '--rcfile', rcFile]);
  assert.equal(result.code, 0, `getmail failed:\n${result.stdout}\n${result.stderr}`);
  const names = await readdir(outDir);
  const fetched = await Promise.all(names.map((name) => readFile(path.join(outDir, name), 'utf8')));
  await rm(outDir, { recursive: true });
  // Undo what getmail adds: its Return-Path line, and LF for CRLF.
  return fetched.map((text) => text.replace(/^Return-Path: .*\n/, '').replaceAll('\n', '\r\n')).sort();
}

const skip = missingBinary('getmail', 'getmail6');

test('getmail POP3: UIDL keeps it from fetching twice; delete empties the maildrop; bytes as sent', { skip }, () =>
  withInteropServer(async (server) => {
    const pop3 = { type: 'SimplePOP3SSLRetriever', port: server.pop3.ports.pop3s } as const;
    const messages = awkwardMessages();
    for (const message of messages.slice(0, 3)) await server.deliver(message);

    assert.deepEqual(await getmail(server, pop3, { delete: false, readAll: false }), messages.slice(0, 3).sort());
    await server.deliver(messages[3]!);
    assert.deepEqual(
      await getmail(server, pop3, { delete: false, readAll: false }),
      [messages[3]],
      'only the new one: UIDL remembered the rest',
    );
    assert.equal((await server.contents('INBOX')).length, 4);

    assert.deepEqual(await getmail(server, pop3, { delete: true, readAll: true }), [...messages].sort());
    assert.deepEqual(await server.contents('INBOX'), [], 'DELE + QUIT expunged everything');
  }),
);

test('getmail IMAP: two folders (one Japanese), only new UIDs the next time, delete expunges', { skip }, () =>
  withInteropServer(async (server) => {
    const messages = awkwardMessages();
    const imap = (mailboxes: string[]) => ({ type: 'SimpleIMAPSSLRetriever', port: server.imap.ports.imaps ?? 0, mailboxes }) as const;
    for (const message of messages.slice(0, 2)) await server.deliver(message);
    for (const message of messages.slice(2)) await server.deliver(message, '日本語/受信');

    assert.deepEqual(await getmail(server, imap(['INBOX', '日本語/受信']), { delete: false, readAll: false }), [...messages].sort());
    const late = numberedMessage(5, 'late');
    await server.deliver(late, '日本語/受信');
    assert.deepEqual(await getmail(server, imap(['INBOX', '日本語/受信']), { delete: false, readAll: false }), [late], 'only the new UID');
    assert.deepEqual(
      (await server.contents('INBOX')).map((m) => m.flags),
      [[], []],
      'FETCH RFC822 after EXAMINE leaves \\Seen unset',
    );

    assert.deepEqual(await getmail(server, imap(['日本語/受信']), { delete: true, readAll: true }), [...messages.slice(2), late].sort());
    assert.deepEqual(await server.contents('日本語/受信'), []);
    assert.equal((await server.contents('INBOX')).length, 2, 'the other folder is untouched');
  }),
);
