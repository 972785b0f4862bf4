// `yubin import` end to end: a generated mbox and Maildir, and a second local IMAP server (a stand-in
// for Amazon WorkMail). Counts, flags, internal dates, folder names and bytes are compared with the
// source; a second run imports nothing twice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openLocalStorage } from '../../../core/adapters/local/open-local-storage.js';
import type { Storage } from '../../../core/ports/index.js';
import { ALICE, BOB, PASSWORD, sampleMessage, startFixture, type ImapFixture } from '../imap/imap-fixture.js';
import { removeCliBundle, runYubin } from './cli-harness.js';

let dataDir: string;
let sourceDir: string;
let env: Record<string, string>;
const yubin = (args: string[], stdin?: string) => runYubin(args, { env, stdin });
const TARGET = 'importer@example.test';

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-cli-import-'));
  sourceDir = await mkdtemp(path.join(tmpdir(), 'yubin-import-source-'));
  env = { YUBIN_DATA_DIR: dataDir };
  assert.equal((await yubin(['domain', 'add', 'example.test'])).code, 0);
  for (const address of [TARGET, ALICE, BOB]) assert.equal((await yubin(['user', 'add', address])).code, 0);
});
after(async () => {
  await removeCliBundle();
  await rm(dataDir, { recursive: true, force: true });
  await rm(sourceDir, { recursive: true, force: true });
});

interface ImportedMessage {
  readonly flags: string[];
  readonly internalDate: Date;
  readonly bytes: Buffer;
}

/** Every message of a user, by mailbox name, in UID order, with its stored bytes. */
async function mailOf(address: string): Promise<Map<string, ImportedMessage[]>> {
  const storage: Storage = await openLocalStorage({ dataDir });
  try {
    const user = await storage.directory.getUser(address);
    assert.ok(user);
    const result = new Map<string, ImportedMessage[]>();
    for (const mailbox of await storage.mailIndex.listMailboxes(user.id)) {
      const { messages } = await storage.mailIndex.listMessages(mailbox.id);
      const loaded: ImportedMessage[] = [];
      for (const message of messages) {
        const chunks: Buffer[] = [];
        for await (const chunk of await storage.blobs.get(message.blobKey)) chunks.push(chunk as Buffer);
        assert.equal(Buffer.concat(chunks).length, message.sizeBytes);
        loaded.push({ flags: [...message.flags].sort(), internalDate: message.internalDate, bytes: Buffer.concat(chunks) });
      }
      if (loaded.length > 0) result.set(mailbox.name, loaded);
    }
    return result;
  } finally {
    await storage.close();
  }
}

const lf = (text: string) => text.replace(/\r\n/gu, '\n');
const crlf = (text: string) => lf(text).replace(/\n/gu, '\r\n');

test('mbox: messages, Status/X-Status flags, From-line dates, >From unquoting; a re-run adds nothing', async () => {
  const bodies = [
    sampleMessage('First', 'Plain body.\r\n', 'Status: RO\r\nX-Status: AF\r\n'),
    sampleMessage('Second', 'A line\r\n>From the quoted start\r\n>>From twice quoted\r\n'),
    sampleMessage('Third: ünïcode', 'Grüße\r\n', 'Status: O\r\n'),
  ];
  const dates = ['Mon Jan  5 09:30:00 2015', 'Tue Feb 10 18:00:01 2020', 'Sat Nov 28 23:59:59 2026'];
  const mbox = bodies.map((body, i) => `From sender@example.org ${dates[i]}\n${lf(body).replace(/^(>*From )/gmu, '>$1')}\n`).join('');
  const file = path.join(sourceDir, 'archive.mbox');
  await writeFile(file, mbox);

  const first = await yubin(['import', TARGET, '--mbox', file, '--folder', 'Archive/2015-2026']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^importer@example\.test: 3 imported \(.+\), 0 already there, from mbox /mu);
  assert.match(first.stderr, /\[#{24}\] 3\/3 msgs .* msg\/s .* ETA/u, 'a progress line with messages, bytes, rate and ETA');

  const again = await yubin(['import', TARGET, '--mbox', file, '--folder', 'Archive/2015-2026']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /: 0 imported \(0 B\), 3 already there/u);

  const imported = (await mailOf(TARGET)).get('Archive/2015-2026');
  assert.ok(imported);
  assert.equal(imported.length, 3);
  imported.forEach((message, i) => {
    assert.equal(message.bytes.toString('utf8'), crlf(bodies[i]!), `message ${i} bytes`);
    assert.equal(message.internalDate.toISOString(), new Date(`${dates[i]} UTC`).toISOString());
  });
  assert.deepEqual(
    imported.map((m) => m.flags),
    [['\\Answered', '\\Flagged', '\\Seen'], [], []],
  );
});

test('Maildir++: folders with modified UTF-7 names, info flags, Dovecot keywords, mtime dates', async () => {
  const root = path.join(sourceDir, 'Maildir');
  const files: { folder: string; dir: string; name: string; body: string; flags: string[]; date: Date }[] = [
    {
      folder: 'INBOX',
      dir: 'cur',
      name: '1700000000.M1.host:2,S',
      body: sampleMessage('Seen one'),
      flags: ['\\Seen'],
      date: new Date('2023-11-14T22:13:20Z'),
    },
    {
      folder: 'INBOX',
      dir: 'new',
      name: '1700000001.M2.host',
      body: sampleMessage('Brand new'),
      flags: [],
      date: new Date('2023-11-14T22:13:21Z'),
    },
    {
      folder: 'INBOX',
      dir: 'cur',
      name: '1700000002.M3.host:2,FRSa',
      body: sampleMessage('Flagged reply'),
      flags: ['$Important', '\\Answered', '\\Flagged', '\\Seen'],
      date: new Date('2024-01-01T00:00:00Z'),
    },
    {
      folder: 'Sent',
      dir: 'cur',
      name: '1700000003.M4.host:2,S',
      body: sampleMessage('Sent by me'),
      flags: ['\\Seen'],
      date: new Date('2024-02-02T12:00:00Z'),
    },
    {
      folder: 'Société/Réunions',
      dir: 'cur',
      name: '1700000004.M5.host:2,ST',
      body: sampleMessage('Réunion'),
      flags: ['\\Deleted', '\\Seen'],
      date: new Date('2025-03-03T08:00:00Z'),
    },
  ];
  const directoryOf: Record<string, string> = {
    INBOX: root,
    Sent: path.join(root, '.Sent'),
    'Société/Réunions': path.join(root, '.Soci&AOk-t&AOk-.R&AOk-unions'),
  };
  for (const dir of Object.values(directoryOf))
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(path.join(dir, sub), { recursive: true });
  await mkdir(path.join(root, '.Soci&AOk-t&AOk-', 'cur'), { recursive: true });
  await writeFile(path.join(root, 'dovecot-keywords'), '0 $Important\n');
  for (const file of files) {
    const full = path.join(directoryOf[file.folder]!, file.dir, file.name);
    await writeFile(full, lf(file.body));
    await utimes(full, file.date, file.date);
  }

  const result = await yubin(['import', TARGET, '--maildir', root]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /: 5 imported/u);
  assert.match(result.stdout, /^ {2}Société\/Réunions\t1$/mu);
  const again = await yubin(['import', TARGET, '--maildir', root]);
  assert.match(again.stdout, /: 0 imported \(0 B\), 5 already there/u);

  const mail = await mailOf(TARGET);
  for (const folder of ['INBOX', 'Sent', 'Société/Réunions']) {
    const expected = files.filter((file) => file.folder === folder);
    const actual = mail.get(folder) ?? [];
    assert.equal(actual.length, expected.length, folder);
    expected.forEach((file, i) => {
      assert.equal(actual[i]!.bytes.toString('utf8'), crlf(file.body));
      assert.deepEqual(actual[i]!.flags, [...file.flags].sort());
      assert.equal(actual[i]!.internalDate.getTime(), file.date.getTime());
    });
  }
});

test('IMAP: one account, then --all-users from a CSV, from a second running server; re-runs resume', async () => {
  const source: ImapFixture = await startFixture();
  try {
    await source.deliver(ALICE, sampleMessage('Hello from WorkMail'), 'INBOX', ['\\Seen']);
    await source.deliver(ALICE, sampleMessage('Unread'), 'INBOX');
    await source.deliver(ALICE, sampleMessage('Sent item'), 'Sent Items', ['\\Seen', '$Label1']);
    await source.deliver(ALICE, sampleMessage('Budget 2027', 'Numbers.\r\n'), 'Finanzen/Übersicht', ['\\Flagged']);
    await source.deliver(BOB, sampleMessage('For Bob'), 'INBOX');
    const url = `imaps://127.0.0.1:${source.tlsPort}`;

    const one = await yubin(
      ['import', ALICE, '--imap', `imaps://${encodeURIComponent(ALICE)}@127.0.0.1:${source.tlsPort}`, '--password-stdin', '--insecure-tls'],
      `${PASSWORD}\n`,
    );
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^alice@example\.test: 4 imported/mu);

    const csv = path.join(sourceDir, 'users.csv');
    await writeFile(csv, `address,password\n${ALICE},"${PASSWORD}"\n${BOB},${PASSWORD}\nnobody@example.test,wrong password here\n`);
    const all = await yubin(['import', '--all-users', '--imap', url, '--csv', csv, '--insecure-tls']);
    assert.equal(all.code, 1, 'one account fails');
    assert.match(all.stdout, /^alice@example\.test: 0 imported \(0 B\), 4 already there/mu);
    assert.match(all.stdout, /^bob@example\.test: 1 imported/mu);
    assert.match(all.stdout, /^nobody@example\.test: FAILED: /mu);
    assert.match(all.stdout, /^summary: 2 of 3 mailboxes moved, 1 messages imported, 4 already there$/mu);

    const alice = await mailOf(ALICE);
    const sourceMail = async (folder: string) => {
      const user = (await source.storage.directory.getUser(ALICE))!;
      const mailbox = (await source.storage.mailIndex.getMailbox(user.id, folder))!;
      return (await source.storage.mailIndex.listMessages(mailbox.id)).messages;
    };
    for (const [from, to] of [
      ['INBOX', 'INBOX'],
      ['Sent Items', 'Sent Items'],
      ['Finanzen/Übersicht', 'Finanzen/Übersicht'],
    ] as const) {
      const expected = await sourceMail(from);
      const actual = alice.get(to) ?? [];
      assert.equal(actual.length, expected.length, to);
      for (const [i, message] of expected.entries()) {
        assert.deepEqual(actual[i]!.flags, [...message.flags].sort(), `${to} flags`);
        assert.equal(Math.floor(actual[i]!.internalDate.getTime() / 1000), Math.floor(message.internalDate.getTime() / 1000), `${to} date`);
        const chunks: Buffer[] = [];
        for await (const chunk of await source.storage.blobs.get(message.blobKey)) chunks.push(chunk as Buffer);
        assert.ok(actual[i]!.bytes.equals(Buffer.concat(chunks)), `${to} bytes`);
      }
    }
    assert.equal((await mailOf(BOB)).get('INBOX')?.length, 1);
  } finally {
    await source.close();
  }
});
