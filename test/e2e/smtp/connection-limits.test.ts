// Connection-level limits enforced by the network shell: concurrent connections per IP and the
// idle timeout, each answered with the reply an admin would search for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RawSmtpClient } from './support/raw-client.js';
import { startSmtpFixture } from './support/smtp-fixture.js';

test('a third concurrent connection from one IP gets 421 4.7.0; a freed slot is usable again', async () => {
  const fixture = await startSmtpFixture({ connections: { maxConnectionsPerIp: 2 } });
  try {
    const port = fixture.service.ports.smtp;
    const first = await RawSmtpClient.connect(port);
    const second = await RawSmtpClient.connect(port);
    assert.equal((await first.reply()).code, 220);
    assert.equal((await second.reply()).code, 220);
    const third = await RawSmtpClient.connect(port);
    assert.match((await third.reply()).text, /^421 4\.7\.0 Too many connections from your address/u);
    await third.waitClosed();
    assert.equal((await first.command('QUIT')).code, 221);
    await first.waitClosed();
    // Bounded poll: the server releases the slot when it sees the close.
    for (let attempt = 0; ; attempt++) {
      const fourth = await RawSmtpClient.connect(port);
      const reply = await fourth.reply();
      fourth.close();
      if (reply.code === 220) break;
      assert.ok(attempt < 50, 'slot never freed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    second.close();
  } finally {
    await fixture.close();
  }
});

test('an idle client is told 421 4.4.2 and disconnected after the idle timeout', async () => {
  const fixture = await startSmtpFixture({ connections: { idleTimeoutMs: 300 } });
  try {
    const client = await RawSmtpClient.connect(fixture.service.ports.smtp);
    assert.equal((await client.reply()).code, 220);
    assert.match((await client.reply(5_000)).text, /^421 4\.4\.2 mx\.example\.test Error: timeout exceeded/u);
    await client.waitClosed();
  } finally {
    await fixture.close();
  }
});
