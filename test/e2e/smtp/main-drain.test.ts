// The container entry point as ECS runs it: starts from the environment, accepts mail, and on
// SIGTERM lets an in-flight message finish, tells idle clients 421 4.3.2, and exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { openLocalStorage } from '../../../core/adapters/local/open-local-storage.js';
import { RawSmtpClient } from './support/raw-client.js';
import { queuedJobs, seedDirectory } from './support/smtp-fixture.js';

test('main.ts: SIGTERM drains — the message in flight gets its 250, idle sessions 421, exit 0', { timeout: 90_000 }, async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-main-'));
  const seed = await openLocalStorage({ dataDir });
  await seedDirectory(seed);
  await seed.close();
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/smtp-fargate/main.ts'], {
    env: { ...process.env, YUBIN_DATA_DIR: dataDir, YUBIN_SMTP_PORT: '0', YUBIN_SUBMISSION_PORT: '0', YUBIN_SUBMISSIONS_PORT: '0', YUBIN_HOSTNAME: 'mx.main.test' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const lines = createInterface({ input: child.stdout });
    let port = 0;
    for await (const line of lines) {
      const record = JSON.parse(line) as { msg: string; ports?: { smtp: number } };
      if (record.msg === 'smtp listening') {
        port = record.ports?.smtp ?? 0;
        break;
      }
    }
    const idle = await RawSmtpClient.connect(port);
    const busy = await RawSmtpClient.connect(port);
    for (const client of [idle, busy]) {
      assert.match((await client.reply()).text, /^220 mx\.main\.test/u);
      await client.command('EHLO c.example');
    }
    busy.send('MAIL FROM:<s@remote.example>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n');
    for (let i = 0; i < 3; i++) await busy.reply();
    busy.send('Subject: in flight\r\n\r\n');
    child.kill('SIGTERM');
    assert.match((await idle.reply()).text, /^421 4\.3\.2 mx\.main\.test Service shutting down/u);
    await idle.waitClosed();
    busy.send('still arriving\r\n.\r\n');
    assert.match((await busy.reply()).text, /^250 2\.0\.0 Ok: queued/u);
    assert.match((await busy.reply()).text, /^421 4\.3\.2/u);
    assert.equal(await exited, 0);
    const storage = await openLocalStorage({ dataDir });
    assert.equal((await queuedJobs(storage.inboundQueue)).length, 1);
    await storage.close();
  } finally {
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});
