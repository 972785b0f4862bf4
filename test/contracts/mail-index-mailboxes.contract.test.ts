// MailIndex contract, mailbox half: create, look up, rename with inferiors, delete, subscribe,
// UIDVALIDITY rules (RFC 3501 §2.3.1.1) and per-user isolation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isStorageError } from '../../core/ports/index.js';
import { type OpenedAdapterSet, adapterSets } from './adapter-sets.js';
import { freshUserId, sampleMessage } from './support/fixtures.js';

for (const set of adapterSets) {
  describe(`MailIndex mailboxes contract [${set.name}]`, () => {
    let opened: OpenedAdapterSet;
    before(async () => {
      opened = await set.open();
    });
    after(async () => {
      await opened.cleanup();
    });

    test('a new mailbox starts empty with UIDNEXT 1 and keeps special-use and subscription', async () => {
      const index = opened.storage.mailIndex;
      const userId = freshUserId();
      const sent = await index.createMailbox(userId, 'Sent', { specialUse: '\\Sent' });
      assert.equal(sent.userId, userId);
      assert.equal(sent.name, 'Sent');
      assert.equal(sent.specialUse, '\\Sent');
      assert.equal(sent.subscribed, true);
      assert.equal(sent.uidNext, 1);
      assert.ok(Number.isInteger(sent.uidValidity) && sent.uidValidity > 0 && sent.uidValidity < 2 ** 32);
      assert.ok(sent.highestModseq >= 0);
      assert.deepEqual([sent.messageCount, sent.unseenCount, sent.sizeBytes], [0, 0, 0]);
      const hidden = await index.createMailbox(userId, 'Hidden', { subscribed: false });
      assert.equal(hidden.subscribed, false);
      assert.equal(hidden.specialUse, null);
      assert.deepEqual(await index.getMailbox(userId, 'Sent'), sent);
      assert.deepEqual(await index.getMailboxById(sent.id), sent);
      assert.equal(await index.getMailbox(userId, 'Nope'), null);
      assert.equal(await index.getMailboxById('no-such-mailbox'), null);
      await assert.rejects(index.createMailbox(userId, 'Sent'), (error) => isStorageError(error, 'already-exists'));
    });

    test('INBOX is case-insensitive; other names are not', async () => {
      const index = opened.storage.mailIndex;
      const userId = freshUserId();
      const inbox = await index.createMailbox(userId, 'INBOX');
      assert.equal((await index.getMailbox(userId, 'inbox'))?.id, inbox.id);
      assert.equal((await index.getMailbox(userId, 'InBox'))?.id, inbox.id);
      await assert.rejects(index.createMailbox(userId, 'Inbox'), (error) => isStorageError(error, 'already-exists'));
      await index.createMailbox(userId, 'Work');
      await index.createMailbox(userId, 'work');
      assert.equal((await index.listMailboxes(userId)).length, 3);
    });

    test('each user sees only their own mailboxes', async () => {
      const index = opened.storage.mailIndex;
      const alice = freshUserId();
      const bob = freshUserId();
      await index.createMailbox(alice, 'INBOX');
      await index.createMailbox(alice, 'Private');
      await index.createMailbox(bob, 'INBOX');
      assert.deepEqual((await index.listMailboxes(alice)).map((mailbox) => mailbox.name).sort(), ['INBOX', 'Private']);
      assert.deepEqual(
        (await index.listMailboxes(bob)).map((mailbox) => mailbox.name),
        ['INBOX'],
      );
      assert.equal(await index.getMailbox(bob, 'Private'), null);
    });

    test('rename moves the mailbox and its inferiors, keeps UIDVALIDITY and messages, leaves look-alikes', async () => {
      const index = opened.storage.mailIndex;
      const userId = freshUserId();
      const projects = await index.createMailbox(userId, 'Projects');
      const alpha = await index.createMailbox(userId, 'Projects/Alpha');
      await index.createMailbox(userId, 'Projects/Alpha/2026');
      await index.createMailbox(userId, 'ProjectsOld');
      await index.appendMessage(alpha.id, sampleMessage());
      await index.renameMailbox(userId, 'Projects', 'Archive/Projects');
      assert.deepEqual((await index.listMailboxes(userId)).map((mailbox) => mailbox.name).sort(), [
        'Archive/Projects',
        'Archive/Projects/Alpha',
        'Archive/Projects/Alpha/2026',
        'ProjectsOld',
      ]);
      const renamed = await index.getMailbox(userId, 'Archive/Projects/Alpha');
      assert.equal(renamed?.id, alpha.id);
      assert.equal(renamed?.uidValidity, alpha.uidValidity);
      assert.equal(renamed?.messageCount, 1);
      assert.equal((await index.getMailbox(userId, 'Archive/Projects'))?.uidValidity, projects.uidValidity);
    });

    test('rename refuses a missing source and an existing target', async () => {
      const index = opened.storage.mailIndex;
      const userId = freshUserId();
      await index.createMailbox(userId, 'A');
      await index.createMailbox(userId, 'B');
      await assert.rejects(index.renameMailbox(userId, 'Missing', 'C'), (error) => isStorageError(error, 'not-found'));
      await assert.rejects(index.renameMailbox(userId, 'A', 'B'), (error) => isStorageError(error, 'already-exists'));
      assert.ok(await index.getMailbox(userId, 'A'));
    });

    test('delete removes the mailbox and its messages, returns their blob keys, and a re-created one gets a new UIDVALIDITY', async () => {
      const index = opened.storage.mailIndex;
      const userId = freshUserId();
      const old = await index.createMailbox(userId, 'Temp');
      const child = await index.createMailbox(userId, 'Temp/Child');
      const first = sampleMessage();
      const second = sampleMessage();
      await index.appendMessage(old.id, first);
      await index.appendMessage(old.id, second);
      const { blobKeys } = await index.deleteMailbox(userId, 'Temp');
      assert.deepEqual([...blobKeys].sort(), [first.blobKey, second.blobKey].sort());
      assert.equal(await index.getMailbox(userId, 'Temp'), null);
      assert.equal(await index.getMailboxById(old.id), null);
      assert.equal((await index.getMailbox(userId, 'Temp/Child'))?.id, child.id, 'inferiors stay');
      const again = await index.createMailbox(userId, 'Temp');
      assert.notEqual(again.uidValidity, old.uidValidity);
      assert.equal(again.uidNext, 1);
      await assert.rejects(index.deleteMailbox(userId, 'Nope'), (error) => isStorageError(error, 'not-found'));
    });

    test('delete does not report a blob key that another mailbox still references', async () => {
      const index = opened.storage.mailIndex;
      const userId = freshUserId();
      const source = await index.createMailbox(userId, 'Source');
      const keep = await index.createMailbox(userId, 'Keep');
      const shared = sampleMessage();
      const own = sampleMessage();
      const { uid } = await index.appendMessage(source.id, shared);
      await index.appendMessage(source.id, own);
      await index.copyMessages(source.id, [uid], keep.id);
      const { blobKeys } = await index.deleteMailbox(userId, 'Source');
      assert.deepEqual(blobKeys, [own.blobKey]);
    });

    test('subscription can be toggled; a missing mailbox is not-found', async () => {
      const index = opened.storage.mailIndex;
      const userId = freshUserId();
      await index.createMailbox(userId, 'News');
      await index.setSubscribed(userId, 'News', false);
      assert.equal((await index.getMailbox(userId, 'News'))?.subscribed, false);
      await index.setSubscribed(userId, 'News', true);
      assert.equal((await index.getMailbox(userId, 'News'))?.subscribed, true);
      await assert.rejects(index.setSubscribed(userId, 'Nope', true), (error) => isStorageError(error, 'not-found'));
    });

    test('malformed names are refused with invalid', async () => {
      const index = opened.storage.mailIndex;
      const userId = freshUserId();
      for (const name of ['', 'a//b', '/lead', 'trail/']) {
        await assert.rejects(index.createMailbox(userId, name), (error) => isStorageError(error, 'invalid'), JSON.stringify(name));
      }
    });
  });
}
