// Directory contract: domains, users, aliases (catch-all and forwarding), filter rules and DKIM keys
// behave the same on every adapter set, with the StorageError codes the CLI and SMTP rely on.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { isStorageError } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';

/** A domain name no other test uses. */
function freshDomain(): string {
  return `d${randomUUID().slice(0, 8)}.example.test`;
}

for (const set of adapterSets) {
  describe(`Directory contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    before(async () => {
      opened = await set.open();
    });
    after(async () => {
      await opened.cleanup();
    });

    test('domains: add, get, list, refuse duplicates, remove', async () => {
      const directory = opened.storage.directory;
      const domain = freshDomain();
      const added = await directory.addDomain(domain);
      assert.equal(added.name, domain);
      assert.ok(added.createdAt instanceof Date);
      assert.equal((await directory.getDomain(domain))?.name, domain);
      assert.ok((await directory.listDomains()).some((listed) => listed.name === domain));
      await assert.rejects(directory.addDomain(domain), (error) => isStorageError(error, 'already-exists'));
      await directory.removeDomain(domain);
      assert.equal(await directory.getDomain(domain), null);
      await assert.rejects(directory.removeDomain(domain), (error) => isStorageError(error, 'not-found'));
    });

    test('users: add to a hosted domain only, look up by address and id, list per domain', async () => {
      const directory = opened.storage.directory;
      const domain = freshDomain();
      await assert.rejects(directory.addUser({ address: `a@${domain}`, passwordHash: 'h' }), (error) => isStorageError(error, 'not-found'));
      await directory.addDomain(domain);
      const alice = await directory.addUser({ address: `alice@${domain}`, passwordHash: 'hash-a', quotaBytes: 1_000_000 });
      const bob = await directory.addUser({ address: `bob@${domain}`, passwordHash: 'hash-b' });
      assert.equal(alice.status, 'active');
      assert.equal(alice.quotaBytes, 1_000_000);
      assert.equal(bob.quotaBytes, null);
      assert.equal(alice.movedTo, null);
      assert.notEqual(alice.id, bob.id);
      await assert.rejects(directory.addUser({ address: `alice@${domain}`, passwordHash: 'x' }), (error) =>
        isStorageError(error, 'already-exists'),
      );
      assert.deepEqual(await directory.getUser(`alice@${domain}`), alice);
      assert.deepEqual(await directory.getUserById(bob.id), bob);
      assert.equal(await directory.getUser(`carol@${domain}`), null);
      assert.equal(await directory.getUserById('no-such-id'), null);
      assert.deepEqual(
        (await directory.listUsers(domain)).map((user) => user.address),
        [`alice@${domain}`, `bob@${domain}`],
      );
      assert.ok((await directory.listUsers()).length >= 2);
    });

    test('users: update password, quota, status and forwarding; remove', async () => {
      const directory = opened.storage.directory;
      const domain = freshDomain();
      await directory.addDomain(domain);
      const user = await directory.addUser({ address: `u@${domain}`, passwordHash: 'old' });
      const updated = await directory.updateUser(user.address, {
        passwordHash: 'new',
        quotaBytes: 5_000,
        status: 'moved',
        movedTo: `u@elsewhere.test`,
      });
      assert.equal(updated.id, user.id);
      assert.equal(updated.passwordHash, 'new');
      assert.equal(updated.quotaBytes, 5_000);
      assert.equal(updated.status, 'moved');
      assert.equal(updated.movedTo, 'u@elsewhere.test');
      assert.deepEqual(await directory.getUser(user.address), updated);
      const unlimited = await directory.updateUser(user.address, { quotaBytes: null, status: 'disabled', movedTo: null });
      assert.equal(unlimited.quotaBytes, null);
      assert.equal(unlimited.movedTo, null);
      assert.equal(unlimited.status, 'disabled');
      await assert.rejects(directory.updateUser(`nobody@${domain}`, { status: 'active' }), (error) => isStorageError(error, 'not-found'));
      await directory.removeUser(user.address);
      assert.equal(await directory.getUser(user.address), null);
      await assert.rejects(directory.removeUser(user.address), (error) => isStorageError(error, 'not-found'));
    });

    test('a domain with users or aliases cannot be removed', async () => {
      const directory = opened.storage.directory;
      const domain = freshDomain();
      await directory.addDomain(domain);
      await directory.addUser({ address: `x@${domain}`, passwordHash: 'h' });
      await assert.rejects(directory.removeDomain(domain), (error) => isStorageError(error, 'conflict'));
      await directory.removeUser(`x@${domain}`);
      await directory.putAlias({ source: `@${domain}`, targets: ['someone@example.test'] });
      await assert.rejects(directory.removeDomain(domain), (error) => isStorageError(error, 'conflict'));
      await directory.removeAlias(`@${domain}`);
      await directory.removeDomain(domain);
    });

    test('aliases: plain, catch-all and forwarding targets; replace; list per domain; remove', async () => {
      const directory = opened.storage.directory;
      const domain = freshDomain();
      await directory.addDomain(domain);
      await directory.putAlias({ source: `sales@${domain}`, targets: [`alice@${domain}`, 'partner@remote.example'] });
      await directory.putAlias({ source: `@${domain}`, targets: [`catchall@${domain}`] });
      assert.deepEqual(await directory.getAlias(`sales@${domain}`), {
        source: `sales@${domain}`,
        targets: [`alice@${domain}`, 'partner@remote.example'],
      });
      assert.deepEqual(await directory.getAlias(`@${domain}`), { source: `@${domain}`, targets: [`catchall@${domain}`] });
      assert.equal(await directory.getAlias(`nobody@${domain}`), null);
      await directory.putAlias({ source: `sales@${domain}`, targets: [`bob@${domain}`] });
      assert.deepEqual((await directory.getAlias(`sales@${domain}`))?.targets, [`bob@${domain}`]);
      assert.deepEqual((await directory.listAliases(domain)).map((alias) => alias.source).sort(), [`@${domain}`, `sales@${domain}`].sort());
      await directory.removeAlias(`sales@${domain}`);
      assert.equal(await directory.getAlias(`sales@${domain}`), null);
      await assert.rejects(directory.removeAlias(`sales@${domain}`), (error) => isStorageError(error, 'not-found'));
    });

    test('filter rules: empty by default, replaced as a whole, order kept', async () => {
      const directory = opened.storage.directory;
      const userId = `user-${randomUUID()}`;
      assert.deepEqual(await directory.getFilterRules(userId), []);
      const rules = [
        { header: 'list-id', contains: 'announce', mailbox: 'Lists/Announce' },
        { header: 'subject', contains: '[ci]', mailbox: 'CI' },
      ];
      await directory.setFilterRules(userId, rules);
      assert.deepEqual(await directory.getFilterRules(userId), rules);
      await directory.setFilterRules(userId, [rules[1]!]);
      assert.deepEqual(await directory.getFilterRules(userId), [rules[1]]);
    });

    test('DKIM keys: stored per domain and replaced by a newer key', async () => {
      const directory = opened.storage.directory;
      const domain = freshDomain();
      await directory.addDomain(domain);
      assert.equal(await directory.getDkimKey(domain), null);
      const first = {
        domain,
        selector: 's1',
        privateKeyPem: '-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----\n',
        algorithm: 'rsa-sha256' as const,
        createdAt: new Date('2026-01-01T00:00:00Z'),
      };
      await directory.putDkimKey(first);
      assert.deepEqual(await directory.getDkimKey(domain), first);
      const second = { ...first, selector: 's2', algorithm: 'ed25519-sha256' as const, createdAt: new Date('2026-06-01T00:00:00Z') };
      await directory.putDkimKey(second);
      assert.deepEqual(await directory.getDkimKey(domain), second);
      // A removed domain takes its key along: adding it again starts without one.
      await directory.removeDomain(domain);
      await directory.addDomain(domain);
      assert.equal(await directory.getDkimKey(domain), null);
    });
  });
}
