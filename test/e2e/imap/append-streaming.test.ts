// Streaming APPEND over a real TLS socket (RFC 3501 §6.3.11, RFC 7888, RFC 7889): a 20 MB message is
// written to the blob store while its literal is still arriving, memory stays far below the message
// size per session, a client that vanishes mid-literal leaves no blob and no message, and a literal
// over APPENDLIMIT is refused before it is sent.
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { after, before, test } from 'node:test';
import { BLOB_DIRECTORY_NAME } from '../../../core/adapters/local/open-local-storage.js';
import { eventuallyTrue } from '../../support/eventually.js';
import { ALICE, startFixture, type ImapFixture } from './imap-fixture.js';
import { RawImapClient } from './raw-imap-client.js';

const MESSAGE_BYTES = 20 * 1024 * 1024;
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** Memory the process still holds after a full GC (heap plus Buffers): what buffering would show, unlike RSS, which also counts garbage not yet collected. */
function retainedBytes(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
let fixture: ImapFixture;

before(async () => {
  fixture = await startFixture({ maxMessageBytes: 25 * 1024 * 1024 });
});
after(async () => fixture.close());

const HEADER = 'Subject: big\r\nContent-Type: text/plain\r\n\r\n';
const FILLER = Buffer.alloc(64 * 1024, 'x');
for (let i = 98; i < FILLER.length - 1; i += 100) FILLER.write('\r\n', i);

/** Message body bytes made on the fly in 64 KiB chunks (the client never holds the message whole). */
async function sendFiller(client: RawImapClient, bytes: number): Promise<void> {
  for (let sent = 0; sent < bytes; ) {
    const chunk = FILLER.subarray(0, Math.min(FILLER.length, bytes - sent));
    await client.write(chunk);
    sent += chunk.length;
  }
}

async function blobFiles(): Promise<{ name: string; size: number }[]> {
  const root = path.join(fixture.dataDir, BLOB_DIRECTORY_NAME, 'msg');
  const names = await readdir(root).catch(() => [] as string[]);
  return Promise.all(names.map(async (name) => ({ name, size: (await stat(path.join(root, name))).size })));
}

async function inboxCount(): Promise<number> {
  const user = await fixture.storage.directory.getUser(ALICE);
  return (await fixture.storage.mailIndex.getMailbox(user!.id, 'INBOX'))!.messageCount;
}

test('a 20 MB APPEND reaches the blob store while its literal is still arriving, with bounded memory', { timeout: 300_000 }, async (t) => {
  const clients = await Promise.all([RawImapClient.connect(fixture.tlsPort), RawImapClient.connect(fixture.tlsPort)]);
  await Promise.all(clients.map((client) => client.login()));
  const before = await inboxCount();
  const retainedBefore = retainedBytes();
  let retainedPeak = retainedBefore;
  const sampler = setInterval(() => (retainedPeak = Math.max(retainedPeak, retainedBytes())), 1_000);
  try {
    const firstHalf = clients.map(async (client, i) => {
      await client.write(`a${i} APPEND INBOX (\\Seen) {${MESSAGE_BYTES}}\r\n`);
      await client.until(/^\+ /mu);
      await client.write(HEADER);
      await sendFiller(client, MESSAGE_BYTES / 2 - HEADER.length);
    });
    await Promise.all(firstHalf);
    // Half of each literal is sent and none has ended: the temp files must already hold most of it.
    await eventuallyTrue(async () => {
      const temps = (await blobFiles()).filter((file) => file.name.startsWith('.tmp-'));
      return temps.length === 2 && temps.every((temp) => temp.size > MESSAGE_BYTES / 4);
    }, 'two temp blobs holding over 5 MB each before either literal ended');
    await Promise.all(
      clients.map(async (client, i) => {
        await sendFiller(client, MESSAGE_BYTES / 2);
        await client.write('\r\n');
        assert.match(await client.until(new RegExp(`^a${i} (OK|NO|BAD).*\\r\\n`, 'mu')), new RegExp(`^a${i} OK \\[APPENDUID \\d+ \\d+\\]`, 'mu'));
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  const growthMb = (retainedPeak - retainedBefore) / 1024 / 1024;
  // Buffering would hold at least 2 x 20 MB at the peak (and twice that while concatenating chunks).
  // The bound leaves room for freed ArrayBuffers that V8 sweeps on a background thread after gc():
  // on a loaded machine that thread lags and arrayBuffers still counts them (10-13 MB seen, 0 when quiet).
  assert.ok(growthMb < 20, `memory held grew by ${growthMb.toFixed(1)} MB for two 20 MB APPENDs`);
  t.diagnostic(`retained memory growth during two concurrent 20 MB APPENDs: ${growthMb.toFixed(1)} MB`);
  assert.equal(await inboxCount(), before + 2);
  const stored = (await blobFiles()).filter((file) => !file.name.startsWith('.tmp-') && file.size >= MESSAGE_BYTES);
  assert.equal(stored.length, 2);
  for (const client of clients) client.socket.destroy();
});

test('a client that vanishes mid-literal leaves no blob and no message behind', async () => {
  const client = await RawImapClient.connect(fixture.tlsPort);
  await client.login();
  const before = { count: await inboxCount(), blobs: (await blobFiles()).map((file) => file.name).sort() };
  await client.write(`v APPEND INBOX {${4 * 1024 * 1024}+}\r\n${HEADER}`);
  await sendFiller(client, 1024 * 1024);
  await eventuallyTrue(async () => (await blobFiles()).some((file) => file.name.startsWith('.tmp-')), 'the literal being written');
  client.socket.destroy();
  await eventuallyTrue(async () => JSON.stringify((await blobFiles()).map((file) => file.name).sort()) === JSON.stringify(before.blobs), 'the temp blob removed');
  assert.equal(await inboxCount(), before.count);
});

test('APPENDLIMIT is advertised; a larger literal gets NO [TOOBIG] before it is sent', async () => {
  const client = await RawImapClient.connect(fixture.tlsPort);
  await client.write('c CAPABILITY\r\n');
  assert.match(await client.until(/^c OK/mu), new RegExp(`APPENDLIMIT=${25 * 1024 * 1024}\\b`, 'u'));
  await client.login();
  await client.write(`t APPEND INBOX {${26 * 1024 * 1024}}\r\n`);
  assert.match(await client.until(/^t /mu), /^t NO \[TOOBIG\]/mu);
  await client.write('n NOOP\r\n');
  assert.match(await client.until(/^n /mu), /^n OK/mu, 'the connection goes on: the literal was never sent');
  await client.write(`m APPEND Nowhere {10}\r\n`);
  assert.match(await client.until(/^m /mu), /^m NO \[TRYCREATE\]/mu, 'refused before the + continuation');
  client.socket.destroy();
});
