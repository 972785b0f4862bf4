// Space comes back: the mail-access service as production composes it (IMAP, POP3 and the storage
// housekeeper on its timer, local backend), real clients (Python imaplib and poplib) deleting mail,
// and the blob files checked in the data directory. Also QRESYNC after the expunge memory is pruned.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { openStorage } from '../../../core/adapters/open-storage.js';
import { hashPassword } from '../../../core/auth/password.js';
import { loadConfig } from '../../../core/config/index.js';
import { silentLogger } from '../../../core/log/logger.js';
import { parseMessageStructure } from '../../../core/mime/index.js';
import type { Storage } from '../../../core/ports/index.js';
import { localBlobExists } from '../../support/local-blobs.js';
import { StaticCertificateSource, TlsContextProvider, createSelfSignedCertificate } from '../../../core/tls/certificates.js';
import { startMailAccess, type MailAccessService } from '../../../services/imap-fargate/main.js';
import { eventuallyTrue } from '../../support/eventually.js';

const PASSWORD = 'correct horse battery';
const ALICE = 'alice@example.test';
/** The system Python when there is one: version-manager shims (pyenv) cost seconds per start. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const BOB = 'bob@example.test';

let dataDir: string;
let storage: Storage;
let access: MailAccessService;

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-housekeeping-'));
  const config = loadConfig({
    YUBIN_DATA_DIR: dataDir,
    YUBIN_IMAP_PORT: '0',
    YUBIN_IMAPS_PORT: '0',
    YUBIN_POP3_PORT: '0',
    YUBIN_POP3S_PORT: '0',
    // Free blobs as soon as they are unreferenced, and look every second.
    YUBIN_BLOB_GRACE_MINUTES: '0',
    YUBIN_HOUSEKEEPING_INTERVAL_SECONDS: '1',
  });
  storage = await openStorage(config, silentLogger);
  await storage.directory.addDomain('example.test');
  const passwordHash = await hashPassword(PASSWORD);
  for (const address of [ALICE, BOB]) {
    const user = await storage.directory.addUser({ address, passwordHash });
    await storage.mailIndex.createMailbox(user.id, 'INBOX');
  }
  const tls = new TlsContextProvider(new StaticCertificateSource(await createSelfSignedCertificate('localhost')));
  await tls.refresh();
  access = await startMailAccess(storage, config, silentLogger, tls);
});

after(async () => {
  await access.close();
  await storage.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Delivers a message as the delivery worker does (blob, then index); returns its blob key. */
async function deliver(address: string, subject: string): Promise<string> {
  const user = (await storage.directory.getUser(address))!;
  const inbox = (await storage.mailIndex.getMailbox(user.id, 'INBOX'))!;
  const bytes = Buffer.from(`From: carol@example.org\r\nTo: ${address}\r\nSubject: ${subject}\r\n\r\nHello.\r\n`);
  const blob = await storage.blobs.put(Readable.from([bytes]), { prefix: 'msg/' });
  const structure = await parseMessageStructure(Readable.from([bytes]));
  await storage.mailIndex.appendMessage(inbox.id, { blobKey: blob.key, sizeBytes: blob.sizeBytes, internalDate: new Date(), structure });
  return blob.key;
}

const stored = (key: string) => localBlobExists(dataDir, key);

function python(script: string, env: Record<string, string>): Promise<string> {
  const prelude = [
    'import imaplib, poplib, os, ssl, re',
    'ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE',
    "imaplib.Commands['ENABLE'] = ('AUTH', 'SELECTED')",
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      ['-c', `${prelude}\n${script}`],
      { env: { ...process.env, PASSWORD, ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`python failed:\n${stdout}\n${stderr.slice(-1500)}`));
        else resolve(stdout);
      },
    );
  });
}

test('IMAP EXPUNGE frees the blob of the expunged message, and only that one', async () => {
  const gone = await deliver(ALICE, 'delete me');
  const kept = await deliver(ALICE, 'keep me');
  assert.ok(stored(gone) && stored(kept));
  await python(
    String.raw`
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['PORT']), ssl_context=ctx)
m.login(os.environ['USER'], os.environ['PASSWORD'])
m.select('INBOX')
typ, data = m.search(None, 'SUBJECT', '"delete me"')
assert typ == 'OK' and data[0] == b'1', data
m.store('1', '+FLAGS', '\\Deleted')
typ, data = m.expunge()
assert typ == 'OK' and data == [b'1'], data
m.logout()
`,
    { PORT: String(access.ports.imaps), USER: ALICE },
  );
  await eventuallyTrue(async () => !stored(gone), 'the housekeeper to delete the expunged blob');
  assert.ok(stored(kept), 'the message still in INBOX keeps its blob');
});

test('POP3 DELE + QUIT frees the blob; DELE + RSET does not', async () => {
  const gone = await deliver(BOB, 'pop me');
  const kept = await deliver(BOB, 'keep me');
  await python(
    String.raw`
p = poplib.POP3_SSL('127.0.0.1', int(os.environ['PORT']), context=ctx, timeout=20)
p.user(os.environ['USER']); p.pass_(os.environ['PASSWORD'])
p.dele(2); p.rset()
p.dele(1)
p.quit()
`,
    { PORT: String(access.ports.pop3s), USER: BOB },
  );
  await eventuallyTrue(async () => !stored(gone), 'the housekeeper to delete the POP3-deleted blob');
  assert.ok(stored(kept));
});

test('QRESYNC after the expunge memory is pruned still reports the expunged UID as VANISHED (EARLIER)', async () => {
  const user = (await storage.directory.getUser(ALICE))!;
  const mailbox = await storage.mailIndex.createMailbox(user.id, 'Resync');
  for (const subject of ['one', 'two', 'three']) {
    const bytes = Buffer.from(`Subject: ${subject}\r\n\r\nHi.\r\n`);
    const blob = await storage.blobs.put(Readable.from([bytes]), { prefix: 'msg/' });
    const structure = await parseMessageStructure(Readable.from([bytes]));
    await storage.mailIndex.appendMessage(mailbox.id, {
      blobKey: blob.key,
      sizeBytes: blob.sizeBytes,
      internalDate: new Date(),
      structure,
    });
  }
  const before = (await storage.mailIndex.getMailboxById(mailbox.id))!;
  await storage.mailIndex.updateFlags(mailbox.id, { uids: [2], operation: 'add', flags: ['\\Deleted'] });
  await storage.mailIndex.expunge(mailbox.id);
  const { pruned } = await storage.housekeeping.pruneExpungedUids(new Date(Date.now() + 1_000));
  assert.ok(pruned >= 1);
  const out = await python(
    String.raw`
m = imaplib.IMAP4_SSL('127.0.0.1', int(os.environ['PORT']), ssl_context=ctx)
m.login(os.environ['USER'], os.environ['PASSWORD'])
typ, _ = m._simple_command('ENABLE', 'QRESYNC'); assert typ == 'OK'
typ, data = m._simple_command('SELECT', 'Resync (QRESYNC (%s %s))' % (os.environ['UIDVALIDITY'], os.environ['MODSEQ']))
assert typ == 'OK', data
m.state = 'SELECTED'
print(m.untagged_responses.pop('VANISHED', None))
typ, data = m._simple_command('UID', 'FETCH', '1:*', '(FLAGS)', '(CHANGEDSINCE %s VANISHED)' % os.environ['MODSEQ'])
assert typ == 'OK', data
print(m.untagged_responses.pop('VANISHED', None))
m.logout()
`,
    { PORT: String(access.ports.imaps), USER: ALICE, UIDVALIDITY: String(before.uidValidity), MODSEQ: String(before.highestModseq) },
  );
  const [onSelect, onFetch] = out.trim().split('\n');
  assert.equal(onSelect, "[b'(EARLIER) 2']");
  assert.equal(onFetch, "[b'(EARLIER) 2']");
});
