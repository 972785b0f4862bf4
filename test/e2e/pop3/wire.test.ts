// POP3 on the wire, byte for byte: pipelining, STLS command injection, bad input, limits, idle
// autologout, and messages whose blob vanished or that were stored with bare LF.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dotLeadingMessage, numberedMessage } from './messages.js';
import { PASSWORD, withServer, type Pop3TestServer } from './pop3-harness.js';
import { LineClient } from '../../support/line-client.js';

async function loggedIn(server: Pop3TestServer): Promise<LineClient> {
  const client = await LineClient.connect(server.service.ports.pop3s, { implicitTls: true });
  assert.match(await client.line(), /^\+OK pop\.example\.test Yubin POP3 ready/);
  assert.match(await client.command(`USER ${server.address}`), /^\+OK/);
  assert.match(await client.command(`PASS ${PASSWORD}`), /^\+OK Logged in/);
  return client;
}

test('pipelined commands are answered in order; RETR is dot-stuffed and LIST counts it unstuffed', () =>
  withServer(async (server) => {
    const message = dotLeadingMessage();
    await server.deliver(message);
    const client = await loggedIn(server);
    client.send('STAT\r\nLIST\r\nRETR 1\r\nTOP 1 1\r\nNOOP\r\nQUIT\r\n');
    assert.equal(await client.line(), `+OK 1 ${message.length}`);
    assert.match(await client.line(), /^\+OK 1 messages/);
    assert.equal((await client.multiline()).toString(), `1 ${message.length}\r\n.\r\n`);
    assert.equal(await client.line(), `+OK ${message.length} octets`);
    const wire = await client.multiline();
    const stuffed = message.toString('latin1').replace(/^\./gm, '..');
    assert.equal(wire.toString('latin1'), `${stuffed}.\r\n`);
    const unstuffed = wire.toString('latin1').slice(0, -3).replace(/^\.\./gm, '.');
    assert.equal(Buffer.byteLength(unstuffed, 'latin1'), message.length, 'LIST octets = RETR octets before stuffing');
    assert.match(await client.line(), /^\+OK Top of message follows/);
    assert.equal((await client.multiline()).toString(), 'From: bob@example.org\r\nSubject: dots\r\n\r\n..\r\n.\r\n');
    assert.equal(await client.line(), '+OK');
    assert.match(await client.line(), /^\+OK Bye/);
    await client.closedByServer();
  }));

test('commands pipelined behind STLS are discarded, not run inside TLS (RFC 2595)', () =>
  withServer(async (server) => {
    const client = await LineClient.connect(server.service.ports.pop3);
    await client.line();
    client.send(`STLS\r\nUSER ${server.address}\r\nCAPA\r\n`);
    assert.equal(await client.line(), '+OK Begin TLS negotiation');
    await client.startTls();
    assert.equal(await client.command(`PASS ${PASSWORD}`), '-ERR Send USER first');
    assert.match(await client.command('CAPA'), /^\+OK/);
    assert.match((await client.multiline()).toString(), /^USER\r\n/m);
    assert.equal(await client.command('STLS'), '-ERR TLS is already active');
    assert.equal(await client.command('QUIT'), '+OK Bye');
    assert.equal(client.remaining, '');
  }));

test('bad input gets -ERR, never a crash; ten bad commands close the connection', () =>
  withServer(async (server) => {
    const client = await LineClient.connect(server.service.ports.pop3);
    await client.line();
    assert.equal(await client.command('STAT'), '-ERR Command not valid in this state');
    assert.equal(await client.command('RETR x'), '-ERR Bad arguments: usage: RETR msg');
    client.send(Buffer.concat([Buffer.from('X'.repeat(5000)), Buffer.from('\r\n')]));
    assert.equal(await client.line(), '-ERR Command line too long');
    client.send(Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a]));
    assert.equal(await client.line(), '-ERR Unknown command');
    assert.match(await client.command('CAPA'), /^\+OK/);
    await client.multiline();
    for (let i = 0; i < 6; i += 1) assert.equal(await client.command('GET / HTTP/1.1'), '-ERR Unknown command');
    assert.equal(await client.command('HELO'), '-ERR Unknown command');
    assert.equal(await client.line(), '-ERR Too many bad commands; closing the connection');
    await client.closedByServer();

    const next = await LineClient.connect(server.service.ports.pop3);
    assert.match(await next.line(), /^\+OK/, 'the server still serves new connections');
    next.close();
  }));

test('a message whose blob is gone gets -ERR and the session goes on', () =>
  withServer(async (server) => {
    await server.deliver(numberedMessage('gone'));
    await server.deliver(numberedMessage('here'));
    const [gone] = await server.storage.mailIndex.getMessages(server.inbox.id, [(await server.inboxUids())[0] ?? 0]);
    await server.storage.blobs.delete(gone?.blobKey ?? '');
    const client = await loggedIn(server);
    assert.equal(await client.command('RETR 1'), '-ERR Message is no longer available; another session removed it');
    assert.match(await client.command('RETR 2'), /^\+OK/);
    assert.match((await client.multiline()).toString(), /^Subject: here/);
    assert.equal(await client.command('RETR 3'), '-ERR No such message');
    assert.match(await client.command('DELE 2'), /^\+OK/);
    assert.equal(await client.command('DELE 2'), '-ERR Message already deleted');
    assert.equal(await client.command('LIST 2'), '-ERR Message already deleted');
    client.close();
  }));

test('a message stored with bare LF is sent with CRLF; LIST reports the stored size (docs/pop3.md)', () =>
  withServer(async (server) => {
    const stored = 'Subject: lf\n\nline\n.dot\n';
    await server.deliver(stored);
    const client = await loggedIn(server);
    assert.equal(await client.command('LIST 1'), `+OK 1 ${stored.length}`);
    assert.match(await client.command('RETR 1'), /^\+OK/);
    assert.equal((await client.multiline()).toString(), 'Subject: lf\r\n\r\nline\r\n..dot\r\n.\r\n');
    client.close();
  }));

test('limits: sessions per maildrop get [IN-USE], connections per IP get [SYS/TEMP]', () =>
  withServer(
    async (server) => {
      const first = await loggedIn(server);
      const second = await LineClient.connect(server.service.ports.pop3s, { implicitTls: true });
      await second.line();
      await second.command(`USER ${server.address}`);
      assert.equal(await second.command(`PASS ${PASSWORD}`), '-ERR [IN-USE] Too many sessions open on this maildrop; close one and retry');
      const third = await LineClient.connect(server.service.ports.pop3);
      assert.equal(await third.line(), '-ERR [SYS/TEMP] Too many connections from your address; try again later');
      await third.closedByServer();
      assert.match(await first.command('QUIT'), /^\+OK Bye/);
      await first.closedByServer();
      await second.command(`USER ${server.address}`);
      assert.match(await second.command(`PASS ${PASSWORD}`), /^\+OK Logged in/, 'the slot is free again after QUIT');
      second.close();
    },
    { limits: { maxSessionsPerUser: 1, maxConnectionsPerIp: 2 } },
  ));

test('an idle client is logged out with -ERR and disconnected (autologout timer shortened for the test)', () =>
  withServer(
    async (server) => {
      const client = await LineClient.connect(server.service.ports.pop3);
      await client.line();
      const started = Date.now();
      assert.equal(await client.line(), '-ERR Autologout; idle for too long');
      await client.closedByServer();
      assert.ok(Date.now() - started >= 250, 'not before the timer');
    },
    { limits: { idleTimeoutMs: 300 } },
  ));

test('a client that drops the connection in the middle of a large RETR leaves the server and the maildrop intact', () =>
  withServer(async (server) => {
    const line = `${'x'.repeat(998)}\r\n`;
    const large = Buffer.from(`Subject: large\r\n\r\n${line.repeat(8_000)}`); // ~8 MB
    await server.deliver(large);
    const client = await loggedIn(server);
    assert.equal(await client.command('RETR 1'), `+OK ${large.length} octets`);
    await client.line(); // some of the body has arrived
    client.close();

    const again = await loggedIn(server);
    assert.equal(await again.command('STAT'), `+OK 1 ${large.length}`);
    assert.match(await again.command('RETR 1'), /^\+OK/);
    assert.equal((await again.multiline()).length, large.length + 3);
    again.close();
  }));
