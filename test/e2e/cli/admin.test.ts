// The admin's day with the real CLI on the local backend: domains, users, aliases, quotas, DKIM,
// the one-line errors, and changes reaching a running IMAP server without a restart.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { openLocalStorage } from '../../../core/adapters/local/open-local-storage.js';
import { verifyPassword } from '../../../core/auth/password.js';
import { silentLogger } from '../../../core/log/logger.js';
import type { Storage } from '../../../core/ports/index.js';
import { startImapService, type ImapService } from '../../../services/imap-fargate/imap/server.js';
import { REPO_ROOT, removeCliBundle, runYubin } from './cli-harness.js';

let dataDir: string;
let env: Record<string, string>;
const yubin = (args: string[], stdin?: string) => runYubin(args, { env, stdin });

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-cli-admin-'));
  env = { YUBIN_DATA_DIR: dataDir, YUBIN_HOSTNAME: 'mail.example.test' };
});
after(async () => {
  await removeCliBundle();
  await rm(dataDir, { recursive: true, force: true });
});

async function withStorage<T>(use: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openLocalStorage({ dataDir });
  try {
    return await use(storage);
  } finally {
    await storage.close();
  }
}

test('domains, users, aliases, quotas and DKIM keys, with clear one-line errors', async () => {
  assert.equal((await yubin(['domain', 'add', 'Example.TEST'])).code, 0);
  assert.match((await yubin(['domain', 'list'])).stdout, /^example\.test\t/mu);

  const added = await yubin(['user', 'add', 'alice@example.test', '--password-stdin', '--quota', '10M'], 'correct horse battery\n');
  assert.equal(added.code, 0, added.stderr);
  const generated = await yubin(['user', 'add', 'bob@example.test']);
  assert.equal(generated.code, 0, generated.stderr);
  const bobPassword = /password for bob@example\.test: (\S+)/u.exec(generated.stdout)?.[1];
  assert.ok(bobPassword && bobPassword.length >= 20, 'a generated password is printed once');

  const weak = await yubin(['user', 'add', 'carol@example.test', '--password-stdin'], 'secret\n');
  assert.equal(weak.code, 1);
  assert.equal(weak.stderr, 'yubin: weak password: it must be at least 10 characters long\n');
  const duplicate = await yubin(['user', 'add', 'alice@example.test', '--password-stdin'], 'another long password\n');
  assert.equal(duplicate.code, 1);
  assert.equal(duplicate.stderr, 'yubin: user alice@example.test already exists\n');
  const unknown = await yubin(['user', 'add', 'dave@unknown.test']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'yubin: unknown domain unknown.test: add it first with `yubin domain add unknown.test`\n');
  const usage = await yubin(['user', 'frobnicate']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: yubin user add ADDRESS/u);

  assert.equal((await yubin(['alias', 'add', 'sales@example.test', 'alice@example.test', 'bob@example.test'])).code, 0);
  assert.equal((await yubin(['alias', 'add', '@example.test', 'alice@example.test'])).code, 0);
  assert.equal((await yubin(['alias', 'remove', 'sales@example.test', 'bob@example.test'])).code, 0);
  assert.equal((await yubin(['quota', 'set', 'bob@example.test', '2G'])).code, 0);
  assert.equal((await yubin(['user', 'moved', 'bob@example.test', 'robert@elsewhere.test'])).code, 0);
  const dkim = await yubin(['dkim', 'generate', 'example.test', '--selector', 's1']);
  assert.equal(dkim.code, 0, dkim.stderr);
  assert.match(dkim.stdout, /^s1\._domainkey\.example\.test\.\t3600\tIN\tTXT\t"v=DKIM1; k=rsa; p=MII/mu);

  const list = await yubin(['user', 'list']);
  assert.match(list.stdout, /^alice@example\.test\tactive\t0 B \(0%\)\t10 MiB\t0$/mu);
  assert.match(list.stdout, /^bob@example\.test\tmoved to robert@elsewhere\.test\t0 B \(0%\)\t2\.0 GiB\t0$/mu);
  assert.match(
    (await yubin(['alias', 'list'])).stdout,
    /^@example\.test\talice@example\.test\nsales@example\.test\talice@example\.test\n$/u,
  );
  const busy = await yubin(['domain', 'remove', 'example.test']);
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /^yubin: domain example\.test still has users or aliases\n$/u);

  await withStorage(async (storage) => {
    const alice = await storage.directory.getUser('alice@example.test');
    assert.ok(alice && (await verifyPassword('correct horse battery', alice.passwordHash)));
    assert.equal(alice.quotaBytes, 10 * 1024 * 1024);
    const names = (await storage.mailIndex.listMailboxes(alice.id)).map((m) => m.name).sort();
    assert.deepEqual(names, ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    const bob = await storage.directory.getUser('bob@example.test');
    assert.ok(bob && (await verifyPassword(bobPassword, bob.passwordHash)));
    assert.deepEqual([bob.status, bob.movedTo, bob.quotaBytes], ['moved', 'robert@elsewhere.test', 2 * 1024 ** 3]);
    const key = await storage.directory.getDkimKey('example.test');
    assert.equal(key?.selector, 's1');
    assert.equal(key?.algorithm, 'rsa-sha256');
  });
});

test('users added and passwords changed by the CLI work on a running IMAP server at once', async () => {
  const storage = await openLocalStorage({ dataDir, changePollIntervalMs: 100 });
  let service: ImapService | null = null;
  try {
    service = await startImapService({
      storage,
      logger: silentLogger,
      tls: null,
      config: {
        host: '127.0.0.1',
        port: 0,
        tlsPort: null,
        hostname: 'imap.example.test',
        maxMessageBytes: 1024 * 1024,
        allowPlaintextAuth: true,
      },
    });
    const login = async (user: string, pass: string): Promise<boolean> => {
      const client = new ImapFlow({ host: '127.0.0.1', port: service!.ports.imap, secure: false, auth: { user, pass }, logger: false });
      try {
        await client.connect();
        await client.logout();
        return true;
      } catch {
        client.close();
        return false;
      }
    };
    assert.equal((await yubin(['user', 'add', 'erin@example.test', '--password-stdin'], 'first long password\n')).code, 0);
    assert.equal(await login('erin@example.test', 'first long password'), true);
    assert.equal((await yubin(['user', 'passwd', 'erin@example.test', '--password-stdin'], 'second long password\n')).code, 0);
    assert.equal(await login('erin@example.test', 'first long password'), false);
    assert.equal(await login('erin@example.test', 'second long password'), true);
    const removed = await yubin(['user', 'remove', 'erin@example.test']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(await login('erin@example.test', 'second long password'), false);
  } finally {
    await service?.close(2_000);
    await storage.close();
  }
});

test('npx yubin: the bin/yubin.js shim runs the CLI from another working directory', async () => {
  const { spawnSync } = await import('node:child_process');
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/yubin.js'), 'help'], {
    cwd: tmpdir(),
    encoding: 'utf8',
    timeout: 90_000,
  });
  assert.equal(result.status, 0, result.stderr);
  for (const group of ['domain', 'user', 'alias', 'quota', 'dkim', 'dns', 'import'])
    assert.match(result.stdout, new RegExp(`^${group}: `, 'mu'));
  assert.match(result.stdout, /^ {2}yubin user add ADDRESS \[--password-stdin\] \[--quota SIZE\]$/mu);
});
