// mbsync (isync) against Yubin: a two-way Maildir ⇄ IMAP sync over implicit TLS, verified against the
// test CA. mbsync relies on UIDPLUS (APPENDUID), a stable UIDVALIDITY, UID FETCH/STORE and EXPUNGE;
// isync 1.4 keeps modified UTF-7 folder names as they are on disk, so `日本語/受信` is `&ZeVnLIqe-/&U9dP4Q-`.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { encodeMutf7 } from '../../../core/mail/mutf7.js';
import { ADDRESS, PASSWORD, missingBinary, numberedMessage, runClient, withInteropServer, type InteropServer } from './interop-server.js';

const JAPANESE = '日本語/受信';
const JAPANESE_NEW = '日本語/送信済み';

interface LocalMessage {
  readonly file: string;
  readonly uid: number | null;
  /** Maildir info flags (`S` seen, `F` flagged, `R` replied, `T` trashed, `D` draft). */
  readonly flags: string;
  readonly messageId: string | null;
}

/** The messages of a Maildir folder (new/ and cur/), by Message-ID. */
async function readMaildir(folder: string): Promise<LocalMessage[]> {
  const found: LocalMessage[] = [];
  for (const sub of ['new', 'cur']) {
    for (const name of await readdir(path.join(folder, sub))) {
      const file = path.join(folder, sub, name);
      const text = await readFile(file, 'utf8');
      found.push({
        file,
        uid: Number(/,U=(\d+)/.exec(name)?.[1] ?? NaN) || null,
        flags: /:2,([A-Z]*)$/.exec(name)?.[1] ?? '',
        messageId: /^Message-ID: (<[^>]+>)/im.exec(text)?.[1] ?? null,
      });
    }
  }
  return found.sort((a, b) => (a.uid ?? 0) - (b.uid ?? 0));
}

function mbsyncrc(server: InteropServer, mailDir: string): string {
  return [
    'IMAPAccount yubin',
    'Host localhost', // the name on the certificate; the server listens on 127.0.0.1
    `Port ${server.imap.ports.imaps}`,
    `User ${ADDRESS}`,
    `Pass "${PASSWORD}"`,
    'SSLType IMAPS',
    `CertificateFile ${server.ca.caPath}`,
    '',
    'IMAPStore remote',
    'Account yubin',
    '',
    'MaildirStore local',
    `Path ${mailDir}/`,
    `Inbox ${mailDir}/INBOX`,
    'SubFolders Verbatim',
    '',
    'Channel yubin',
    'Far :remote:',
    'Near :local:',
    'Patterns *',
    'Create Both',
    'Expunge Both',
    'SyncState *',
    '',
  ].join('\n');
}

const skip = missingBinary('mbsync', 'isync');

test('mbsync: two-way sync of 50 messages with Japanese folder names; a second run is a no-op', { skip }, () =>
  withInteropServer(async (server) => {
    const mailDir = path.join(server.home, 'Mail');
    const rcFile = path.join(server.home, 'mbsyncrc');
    await writeFile(rcFile, mbsyncrc(server, mailDir), { mode: 0o600 });
    const mbsync = async () => {
      // -D: on failure the assertion shows the IMAP conversation (mbsync masks the password).
      const result = await runClient(server, 'mbsync', ['-D', '-c', rcFile, '-a']);
      assert.equal(result.code, 0, `mbsync failed:\n${result.stdout}\n${result.stderr}`);
      return result;
    };
    const localFolder = (name: string) => path.join(mailDir, ...name.split('/').map(encodeMutf7));

    for (let i = 1; i <= 40; i++)
      await server.deliver(numberedMessage(i), 'INBOX', i % 3 === 0 ? ['\\Seen'] : i % 7 === 0 ? ['\\Flagged'] : []);
    for (let i = 41; i <= 50; i++) await server.deliver(numberedMessage(i, `件名 ${i}`), JAPANESE, ['\\Seen']);

    // 1. First sync: everything comes down, flags mapped to Maildir letters.
    await mkdir(mailDir);
    await mbsync();
    const inbox = await readMaildir(localFolder('INBOX'));
    assert.equal(inbox.length, 40);
    for (const message of await server.contents('INBOX')) {
      const local = inbox.find((m) => m.uid === message.uid);
      assert.ok(local, `INBOX UID ${message.uid} synced`);
      assert.equal(local.messageId, message.messageId);
      assert.equal(local.flags, `${message.flags.includes('\\Flagged') ? 'F' : ''}${message.flags.includes('\\Seen') ? 'S' : ''}`);
    }
    const japanese = await readMaildir(localFolder(JAPANESE));
    assert.deepEqual(
      japanese.map((m) => [m.uid, m.flags]),
      (await server.contents(JAPANESE)).map((m) => [m.uid, 'S']),
    );
    const [firstJapanese] = japanese;
    assert.ok(firstJapanese?.uid);
    // Byte for byte, but for the line ends and the X-TUID header mbsync adds to find its copies again.
    const copied = (await readFile(firstJapanese.file, 'utf8')).replace(/^X-TUID: .*\n/m, '').replaceAll('\n', '\r\n');
    assert.equal(copied, (await server.raw(JAPANESE, firstJapanese.uid)).toString('utf8'));
    // The empty default folders are created locally too (readdir throws if one is missing).
    for (const name of ['Sent', 'Drafts', 'Trash', 'Junk', 'Archive']) await readdir(path.join(localFolder(name), 'cur'));

    // 2. Changes on both sides between runs.
    const written = '<written-offline@example.test>';
    await writeFile(
      path.join(localFolder(JAPANESE), 'new', '1796000000.1_1.laptop'),
      `From: Alice <alice@example.test>\nTo: Bob <bob@example.org>\nSubject: 機内で書いた\nMessage-ID: ${written}\n\n飛行機から。\n`,
    );
    const newFolder = localFolder(JAPANESE_NEW);
    for (const sub of ['new', 'cur', 'tmp']) await mkdir(path.join(newFolder, sub), { recursive: true });
    await writeFile(
      path.join(newFolder, 'cur', '1796000000.2_1.laptop:2,S'),
      `Subject: 下書き\nMessage-ID: <in-new-folder@example.test>\n\nBody\n`,
    );
    const toFlag = inbox[0]!; // UID 1: no flags yet
    await rename(toFlag.file, `${path.join(localFolder('INBOX'), 'cur', path.basename(toFlag.file).replace(/:2,.*$/, ''))}:2,FS`);
    const toDelete = japanese[1]!;
    await rm(toDelete.file);
    const [answeredUid, expungedUid] = [inbox[1]!.uid!, inbox[2]!.uid!];
    const inboxBox = await server.mailbox('INBOX');
    await server.storage.mailIndex.updateFlags(inboxBox.id, { uids: [answeredUid], operation: 'add', flags: ['\\Answered'] });
    await server.storage.mailIndex.updateFlags(inboxBox.id, { uids: [expungedUid], operation: 'add', flags: ['\\Deleted'] });
    await server.storage.mailIndex.expunge(inboxBox.id, [expungedUid]);
    const pulledUid = await server.deliver(numberedMessage(99, 'arrived while away'));

    await mbsync();

    // Local → server: APPEND found again by its UID, flags, deletion, the new folder.
    const serverJapanese = await server.contents(JAPANESE);
    const appended = serverJapanese.find((m) => m.messageId === written);
    assert.ok(appended, 'the locally written message was appended');
    assert.equal(appended.subject, '機内で書いた');
    const pushed = (await readMaildir(localFolder(JAPANESE))).find((m) => m.messageId === written);
    assert.equal(pushed?.uid, appended.uid, 'mbsync recorded the APPENDUID in the file name');
    assert.ok(!serverJapanese.some((m) => m.uid === toDelete.uid), 'the locally deleted message is expunged');
    assert.deepEqual((await server.contents('INBOX')).find((m) => m.uid === toFlag.uid)?.flags, ['\\Flagged', '\\Seen']);
    assert.deepEqual(
      (await server.contents(JAPANESE_NEW)).map((m) => [m.messageId, m.flags]),
      [['<in-new-folder@example.test>', ['\\Seen']]],
    );
    // Server → local: the new message, the flag, the expunge.
    const inboxAfter = await readMaildir(localFolder('INBOX'));
    assert.ok(
      inboxAfter.some((m) => m.uid === pulledUid),
      'the message delivered meanwhile is pulled',
    );
    assert.equal(inboxAfter.find((m) => m.uid === answeredUid)?.flags, 'R');
    assert.ok(!inboxAfter.some((m) => m.uid === expungedUid), 'the message expunged on the server is gone locally');
    assert.equal(inboxAfter.length, 40);

    // 3. Nothing changed: a third run writes nothing on either side.
    const before = await Promise.all(
      ['INBOX', JAPANESE, JAPANESE_NEW].map(async (name) => [(await server.mailbox(name)).highestModseq, await server.contents(name)]),
    );
    const localBefore = await Promise.all(['INBOX', JAPANESE, JAPANESE_NEW].map((name) => readMaildir(localFolder(name))));
    await mbsync();
    const after = await Promise.all(
      ['INBOX', JAPANESE, JAPANESE_NEW].map(async (name) => [(await server.mailbox(name)).highestModseq, await server.contents(name)]),
    );
    assert.deepEqual(after, before);
    assert.deepEqual(await Promise.all(['INBOX', JAPANESE, JAPANESE_NEW].map((name) => readMaildir(localFolder(name)))), localBefore);
  }),
);
