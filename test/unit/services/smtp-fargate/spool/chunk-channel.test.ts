// ChunkChannel: chunks arrive in order and end; push reports the limit and room() waits for the
// reader; a failed channel makes the reader throw; a reader that stops early frees the writer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkChannel } from '../../../../../services/smtp-fargate/spool/chunk-channel.js';

async function readAll(channel: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of channel) text += Buffer.from(chunk).toString();
  return text;
}

test('chunks pushed before and after the reader starts arrive in order, then the channel ends', async () => {
  const channel = new ChunkChannel(1_000);
  channel.push(Buffer.from('Received: x\r\n'));
  const reading = readAll(channel);
  await new Promise((resolve) => setImmediate(resolve));
  channel.push(Buffer.from('body'));
  channel.end();
  channel.push(Buffer.from('after the end is dropped'));
  assert.equal(await reading, 'Received: x\r\nbody');
});

test('push returns false at the limit; room() resolves only once the reader has taken enough', async () => {
  const channel = new ChunkChannel(10);
  assert.equal(channel.push(Buffer.alloc(6)), true);
  assert.equal(channel.push(Buffer.alloc(6)), false);
  assert.equal(channel.push(Buffer.alloc(6)), false);
  let roomy = false;
  const waiting = channel.room().then(() => (roomy = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(roomy, false);
  const reader = channel[Symbol.asyncIterator]();
  await reader.next(); // 6 of 18 bytes taken: 12 still over the limit
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(roomy, false);
  await reader.next();
  await waiting;
  assert.equal(roomy, true);
});

test('fail() makes the reader throw, whether it is waiting or has not started', async () => {
  const waitingChannel = new ChunkChannel(100);
  const reading = readAll(waitingChannel);
  waitingChannel.push(Buffer.from('partial'));
  await new Promise((resolve) => setImmediate(resolve));
  waitingChannel.fail(new Error('client went away'));
  await assert.rejects(reading, /client went away/);

  const unread = new ChunkChannel(100);
  unread.push(Buffer.from('never read'));
  unread.fail(new Error('aborted first'));
  await assert.rejects(readAll(unread), /aborted first/);
});

test('a reader that stops early (over its size limit) releases a waiting writer and drops later pushes', async () => {
  const channel = new ChunkChannel(4);
  channel.push(Buffer.alloc(8));
  const writerWaits = channel.room();
  const reader = channel[Symbol.asyncIterator]();
  await reader.next();
  await reader.return(undefined);
  await writerWaits;
  assert.equal(channel.push(Buffer.alloc(100)), true, 'nothing is buffered for a reader that is gone');
});
