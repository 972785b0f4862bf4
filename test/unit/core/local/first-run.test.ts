// First run of `npm start` on the real local adapters: demo domain with a DKIM key, a demo user
// whose password verifies, default mailboxes; a second start creates nothing and shows the same login.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openLocalStorage } from '../../../../core/adapters/local/open-local-storage.js';
import { verifyPassword } from '../../../../core/auth/password.js';
import { DEMO_ADDRESS, DEMO_DOMAIN, provisionFirstRun } from '../../../../core/local/first-run.js';

test('first run provisions the demo domain, user, mailboxes and DKIM key once', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-first-run-'));
  const storage = await openLocalStorage({ dataDir });
  try {
    const first = await provisionFirstRun(storage.directory, storage.mailIndex, dataDir);
    assert.equal(first?.address, DEMO_ADDRESS);
    const user = await storage.directory.getUser(DEMO_ADDRESS);
    assert.ok(user && (await verifyPassword(first!.password, user.passwordHash)));
    assert.equal((await storage.directory.getDkimKey(DEMO_DOMAIN))?.algorithm, 'rsa-sha256');
    const names = (await storage.mailIndex.listMailboxes(user.id)).map((mailbox) => mailbox.name).sort();
    assert.deepEqual(names, ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    assert.equal((await stat(path.join(dataDir, 'demo-credentials.json'))).mode & 0o077, 0, 'credentials file is private');

    const again = await provisionFirstRun(storage.directory, storage.mailIndex, dataDir);
    assert.deepEqual(again, first);
    assert.equal((await storage.directory.listUsers()).length, 1);

    await storage.directory.removeUser(DEMO_ADDRESS);
    assert.equal(await provisionFirstRun(storage.directory, storage.mailIndex, dataDir), null, 'a removed demo user is not shown');
  } finally {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
