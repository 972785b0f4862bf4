// offlineimap against Yubin: several folders synced to a Maildir over implicit TLS verified against
// the test CA, then an incremental run after changes on both sides. offlineimap uses neither
// CONDSTORE nor QRESYNC: it lists folders, compares UID FETCH 1:* (FLAGS UID) with its status
// database, and finds uploaded messages by APPENDUID (UIDPLUS).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { eventually } from '../../support/eventually.js';
import {
  ADDRESS,
  PASSWORD,
  clientEnv,
  missingBinary,
  numberedMessage,
  runClient,
  withInteropServer,
  type InteropServer,
} from './interop-server.js';

interface LocalMessage {
  readonly file: string;
  readonly uid: number | null;
  readonly flags: string;
  readonly text: string;
}

/** offlineimap names files `…,U=<uid>,FMD5=<folder md5>:2,<flags>`. */
async function readMaildir(folder: string): Promise<LocalMessage[]> {
  const found: LocalMessage[] = [];
  for (const sub of ['new', 'cur']) {
    for (const name of await readdir(path.join(folder, sub))) {
      const file = path.join(folder, sub, name);
      found.push({
        file,
        uid: Number(/,U=(\d+)/.exec(name)?.[1] ?? NaN) || null,
        flags: /:2,([A-Z]*)$/.exec(name)?.[1] ?? '',
        text: await readFile(file, 'utf8'),
      });
    }
  }
  return found.sort((a, b) => (a.uid ?? 0) - (b.uid ?? 0));
}

/** `idle`: stay connected and IDLE on INBOX between syncs (autorefresh is required for it). */
function offlineimaprc(server: InteropServer, idle = false): string {
  return [
    '[general]',
    'accounts = yubin',
    `metadata = ${server.home}/offlineimap`,
    'ui = basic',
    '',
    '[Account yubin]',
    'localrepository = local',
    'remoterepository = remote',
    'utf8foldernames = yes', // shows 日本語/受信 as 日本語.受信 on disk instead of modified UTF-7
    ...(idle ? ['autorefresh = 5', 'quick = 100'] : []),
    '',
    '[Repository local]',
    'type = Maildir',
    `localfolders = ${server.home}/Mail`,
    '',
    '[Repository remote]',
    'type = IMAP',
    'remotehost = localhost',
    `remoteport = ${server.imap.ports.imaps}`,
    `remoteuser = ${ADDRESS}`,
    `remotepass = ${PASSWORD}`,
    'ssl = yes',
    `sslcacertfile = ${server.ca.caPath}`,
    ...(idle ? ["idlefolders = ['INBOX']", 'holdconnectionopen = yes', 'keepalive = 60'] : []),
    '',
  ].join('\n');
}

const skip = missingBinary('offlineimap', 'offlineimap3');

test('offlineimap: full sync of several folders, then an incremental sync both ways, then a no-op', { skip }, () =>
  withInteropServer(async (server) => {
    const rcFile = path.join(server.home, 'offlineimaprc');
    await writeFile(rcFile, offlineimaprc(server), { mode: 0o600 });
    const offlineimap = async () => {
      const result = await runClient(server, 'offlineimap', ['-c', rcFile, '-o', '-u', 'basic']);
      assert.equal(result.code, 0, `offlineimap failed:\n${result.stdout}\n${result.stderr}`);
      assert.doesNotMatch(result.stdout + result.stderr, /ERROR|Traceback/, result.stdout + result.stderr);
    };
    const local = (name: string) => readMaildir(path.join(server.home, 'Mail', name.replaceAll('/', '.')));
    const folders = { INBOX: 20, Archive: 5, '日本語/受信': 5 };
    let n = 0;
    for (const [name, count] of Object.entries(folders)) {
      for (let i = 0; i < count; i++) await server.deliver(numberedMessage(++n), name, n % 4 === 0 ? ['\\Seen', '\\Flagged'] : []);
    }

    // 1. Full sync: every folder, every message byte for byte (offlineimap writes LF line ends), flags.
    await offlineimap();
    for (const name of Object.keys(folders)) {
      const copies = await local(name);
      const originals = await server.contents(name);
      assert.deepEqual(
        copies.map((m) => [m.uid, m.flags]),
        originals.map((m) => [m.uid, m.flags.includes('\\Seen') ? 'FS' : '']),
        name,
      );
      for (const copy of copies) assert.equal(copy.text.replaceAll('\n', '\r\n'), (await server.raw(name, copy.uid!)).toString('utf8'));
    }
    assert.deepEqual((await local('Sent')).length, 0, 'empty folders are created too');

    // 2. Server-side changes: new mail, a flag, an expunge, a new nested folder; one local change each way.
    const arrived = await server.deliver(numberedMessage(100, 'new in INBOX'));
    const arrivedJapanese = await server.deliver(numberedMessage(101, '新着'), '日本語/受信');
    const projects = await server.deliver(numberedMessage(102, 'in a new folder'), 'Projects/2026');
    const inbox = await server.mailbox('INBOX');
    const archive = await server.mailbox('Archive');
    const [flagged, readLocally] = (await server.contents('INBOX')).slice(0, 2);
    const [expunged] = await server.contents('Archive');
    await server.storage.mailIndex.updateFlags(inbox.id, { uids: [flagged!.uid], operation: 'add', flags: ['\\Flagged'] });
    await server.storage.mailIndex.updateFlags(archive.id, { uids: [expunged!.uid], operation: 'add', flags: ['\\Deleted'] });
    await server.storage.mailIndex.expunge(archive.id, [expunged!.uid]);
    const readCopy = (await local('INBOX')).find((m) => m.uid === readLocally!.uid)!;
    await rename(
      readCopy.file,
      path.join(path.dirname(path.dirname(readCopy.file)), 'cur', `${path.basename(readCopy.file).replace(/:2,.*$/, '')}:2,S`),
    );
    const draftsDir = path.join(server.home, 'Mail', 'Drafts', 'new');
    await writeFile(
      path.join(draftsDir, '1796000000_0.1.laptop'),
      'Subject: draft written offline\nMessage-ID: <draft-1@example.test>\n\nSee you.\n',
    );

    await offlineimap();
    const inboxNow = await local('INBOX');
    assert.ok(inboxNow.some((m) => m.uid === arrived));
    assert.equal(inboxNow.find((m) => m.uid === flagged!.uid)?.flags, 'F');
    assert.ok((await local('日本語/受信')).some((m) => m.uid === arrivedJapanese));
    assert.deepEqual(
      (await local('Projects/2026')).map((m) => m.uid),
      [projects],
    );
    assert.ok(!(await local('Archive')).some((m) => m.uid === expunged!.uid), 'the expunged message is removed locally');
    assert.deepEqual((await server.contents('INBOX')).find((m) => m.uid === readLocally!.uid)?.flags, ['\\Seen']);
    const drafts = await server.contents('Drafts');
    assert.deepEqual(
      drafts.map((m) => m.subject),
      ['draft written offline'],
    );
    assert.deepEqual(
      (await local('Drafts')).map((m) => m.uid),
      [drafts[0]!.uid],
      'the uploaded draft is renamed with its new UID (APPENDUID)',
    );

    // 3. A run without changes writes nothing on the server.
    const modseqs = async () =>
      Promise.all(
        ['INBOX', 'Archive', 'Drafts', '日本語/受信', 'Projects/2026'].map(async (name) => (await server.mailbox(name)).highestModseq),
      );
    const before = await modseqs();
    await offlineimap();
    assert.deepEqual(await modseqs(), before);
  }),
);

test('offlineimap with idlefolders: a message delivered while it IDLEs arrives without waiting for the refresh', { skip }, () =>
  withInteropServer(async (server) => {
    const rcFile = path.join(server.home, 'offlineimaprc');
    await writeFile(rcFile, offlineimaprc(server, true), { mode: 0o600 });
    await server.deliver(numberedMessage(1));
    const inboxDir = path.join(server.home, 'Mail', 'INBOX');
    const uids = async () => (await readMaildir(inboxDir).catch(() => [])).map((m) => m.uid);
    // -d imap: the protocol trace tells when the IDLE has begun, so the delivery cannot race the first sync.
    const client = spawn('offlineimap', ['-c', rcFile, '-u', 'basic', '-d', 'imap'], {
      env: clientEnv(server),
      cwd: server.home,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let trace = '';
    for (const stream of [client.stdout, client.stderr]) stream.on('data', (chunk: Buffer) => (trace += chunk.toString()));
    try {
      const idling = /> b'\w+ IDLE\\r\\n'[\s\S]*< b'\+ /u; // the IDLE command, then the server's continuation
      await eventually(async () => (idling.test(trace) ? true : undefined), 'offlineimap to IDLE on INBOX');
      assert.deepEqual(await uids(), [1]);
      const pushed = await server.deliver(numberedMessage(2, 'pushed'));
      // autorefresh is 5 minutes: within the 20 s poll, only the IDLE push (EXISTS) can bring it.
      await eventually(async () => ((await uids()).includes(pushed) ? true : undefined), 'the pushed message');
    } finally {
      client.kill('SIGKILL');
      if (client.exitCode === null && client.signalCode === null) await once(client, 'exit');
    }
  }),
);
