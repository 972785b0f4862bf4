// The same CLI against the AWS adapters: DynamoDB Local and fauxqs (SQS + S3) from the shared
// emulator harness; the CLI child process gets only what an admin would set in the environment.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openAwsStorage } from '../../../core/adapters/aws/open-aws-storage.js';
import { verifyPassword } from '../../../core/auth/password.js';
import type { AwsConfig } from '../../../core/config/index.js';
import { EMULATOR_CREDENTIALS, leaseAwsEmulators } from '../../support/aws-emulators.js';
import { sampleMessage } from '../imap/imap-fixture.js';
import { backendEnv, removeCliBundle, runYubin } from './cli-harness.js';

let lease: Awaited<ReturnType<typeof leaseAwsEmulators>>;
let aws: AwsConfig;
let env: Record<string, string>;
let workDir: string;
const yubin = (args: string[], stdin?: string) => runYubin(args, { env, stdin });

before(async () => {
  lease = await leaseAwsEmulators();
  aws = await lease.emulators.createBackend();
  workDir = await mkdtemp(path.join(tmpdir(), 'yubin-cli-aws-'));
  env = {
    ...backendEnv(aws),
    YUBIN_HOSTNAME: 'mail.example.test',
  };
});
after(async () => {
  await removeCliBundle();
  await rm(workDir, { recursive: true, force: true });
  await lease.release();
});

test('domain, user, alias, quota and an idempotent mbox import on DynamoDB and S3', async () => {
  assert.equal((await yubin(['domain', 'add', 'example.test'])).code, 0);
  const added = await yubin(['user', 'add', 'alice@example.test', '--password-stdin', '--quota', '1G'], 'correct horse battery\n');
  assert.equal(added.code, 0, added.stderr);
  const duplicate = await yubin(['user', 'add', 'alice@example.test']);
  assert.equal(duplicate.code, 1);
  // The last line: on Node 20 the AWS SDK prints its own deprecation warning first.
  assert.match(duplicate.stderr, /^yubin: user alice@example\.test already exists\n$/mu);
  assert.equal((await yubin(['alias', 'add', '@example.test', 'alice@example.test'])).code, 0);

  const mbox = path.join(workDir, 'in.mbox');
  await writeFile(
    mbox,
    [sampleMessage('One'), sampleMessage('Two', 'Body\r\n', 'Status: RO\r\n')]
      .map((m) => `From x@example.org Mon Jan  5 09:30:00 2015\n${m.replace(/\r\n/gu, '\n')}\n`)
      .join(''),
  );
  const first = await yubin(['import', 'alice@example.test', '--mbox', mbox]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /: 2 imported/u);
  assert.match((await yubin(['import', 'alice@example.test', '--mbox', mbox])).stdout, /: 0 imported \(0 B\), 2 already there/u);
  const list = await yubin(['user', 'list']);
  assert.match(list.stdout, /^alice@example\.test\tactive\t\d+ B \(0%\)\t1\.0 GiB\t2$/mu);

  const storage = await openAwsStorage(aws, { credentials: EMULATOR_CREDENTIALS });
  try {
    const alice = await storage.directory.getUser('alice@example.test');
    assert.ok(alice && (await verifyPassword('correct horse battery', alice.passwordHash)));
    assert.deepEqual((await storage.mailIndex.listMailboxes(alice.id)).map((m) => m.name).sort(), [
      'Archive',
      'Drafts',
      'INBOX',
      'Junk',
      'Sent',
      'Trash',
    ]);
    const inbox = (await storage.mailIndex.getMailbox(alice.id, 'INBOX'))!;
    const { messages } = await storage.mailIndex.listMessages(inbox.id);
    assert.deepEqual(
      messages.map((m) => m.flags),
      [[], ['\\Seen']],
    );
    assert.deepEqual((await storage.directory.getAlias('@example.test'))?.targets, ['alice@example.test']);
  } finally {
    await storage.close();
  }
});
