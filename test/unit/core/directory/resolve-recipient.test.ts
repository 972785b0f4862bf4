// Recipient resolution on the real local directory: the answers RCPT TO and delivery both rely on.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openLocalStorage } from '../../../../core/adapters/local/open-local-storage.js';
import { resolveRecipient } from '../../../../core/directory/resolve-recipient.js';
import { seedDirectory } from '../../../e2e/smtp/support/smtp-fixture.js';

test('user, sub-address, alias, catch-all, moved, disabled, unknown, not hosted, malformed', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-resolve-'));
  const storage = await openLocalStorage({ dataDir });
  try {
    await seedDirectory(storage);
    await storage.directory.addUser({ address: 'erin@example.test', passwordHash: 'x' });
    await storage.directory.updateUser('erin@example.test', { status: 'disabled' });
    const kind = async (address: string) => {
      const resolution = await resolveRecipient(storage.directory, address);
      switch (resolution.kind) {
        case 'user':
          return `user ${resolution.user.address}`;
        case 'alias':
          return `alias ${resolution.source} → ${resolution.users.map((u) => u.address).join(',')}`;
        case 'moved':
          return `moved ${resolution.movedTo}`;
        default:
          return resolution.kind;
      }
    };
    assert.equal(await kind('Alice@Example.Test'), 'user alice@example.test');
    assert.equal(await kind('alice+lists@example.test'), 'user alice@example.test');
    assert.equal(await kind('sales@example.test'), 'alias sales@example.test → alice@example.test,bob@example.test');
    assert.equal(await kind('whoever@catchall.test'), 'alias @catchall.test → alice@example.test');
    assert.equal(await kind('dave@example.test'), 'moved dave@new.example');
    assert.equal(await kind('erin@example.test'), 'disabled');
    assert.equal(await kind('nobody@example.test'), 'unknown');
    assert.equal(await kind('someone@elsewhere.example'), 'not-hosted');
    assert.equal(await kind('no-at-sign'), 'malformed');
  } finally {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
