// `yubin user remove` then `yubin storage sweep` with the real CLI on the local backend: the removed
// user's blob files stay for the grace period and are gone after a sweep past it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { openLocalStorage } from '../../../core/adapters/local/open-local-storage.js';
import { sampleMessage } from '../../contracts/support/fixtures.js';
import { localBlobExists } from '../../support/local-blobs.js';
import { removeCliBundle, runYubin } from './cli-harness.js';

let dataDir: string;
let env: Record<string, string>;
const yubin = (args: string[], stdin?: string) => runYubin(args, { env, stdin });

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-cli-sweep-'));
  env = { YUBIN_DATA_DIR: dataDir };
});
after(async () => {
  await removeCliBundle();
  await rm(dataDir, { recursive: true, force: true });
});

test('user remove leaves blobs to the housekeeper; storage sweep frees them once past the grace period', async () => {
  assert.equal((await yubin(['domain', 'add', 'example.test'])).code, 0);
  assert.equal((await yubin(['user', 'add', 'dave@example.test'])).code, 0);
  const blobKey = await (async () => {
    const storage = await openLocalStorage({ dataDir });
    try {
      const user = (await storage.directory.getUser('dave@example.test'))!;
      const inbox = (await storage.mailIndex.getMailbox(user.id, 'INBOX'))!;
      const blob = await storage.blobs.put(Readable.from([Buffer.from('Subject: bye\r\n\r\nbye\r\n')]), { prefix: 'msg/' });
      await storage.mailIndex.appendMessage(inbox.id, sampleMessage({ blobKey: blob.key, sizeBytes: blob.sizeBytes }));
      return blob.key;
    } finally {
      await storage.close();
    }
  })();
  assert.match((await yubin(['user', 'remove', 'dave@example.test'])).stdout, /removed user dave@example\.test and 1 messages/u);
  assert.ok(localBlobExists(dataDir, blobKey));
  const early = await yubin(['storage', 'sweep']);
  assert.equal(early.code, 0, early.stderr);
  assert.match(early.stdout, /^freed 0 blobs/u);
  assert.ok(localBlobExists(dataDir, blobKey), 'inside the default 30-minute grace period');
  const late = await yubin(['storage', 'sweep', '--grace-minutes', '0']);
  assert.equal(late.code, 0, late.stderr);
  assert.match(late.stdout, /^freed 1 blobs; pruned 0 expunged UIDs and 0 idempotency keys/u);
  assert.equal(localBlobExists(dataDir, blobKey), false);
  assert.equal((await yubin(['storage', 'sweep', '--grace-minutes', 'soon'])).code, 2);
});
