// The network shell: curl smoke test, limits (line length, connections per IP, auth throttling),
// PROXY v2 client addresses, two live sessions on one mailbox, graceful shutdown.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { PROXY_V2_SIGNATURE } from '../../../core/net/proxy-protocol.js';
import { ALICE, PASSWORD, sampleMessage, startFixture, type ImapFixture } from './imap-fixture.js';

let fixture: ImapFixture;
before(async () => {
  fixture = await startFixture({ maxConnectionsPerIp: 6, maxLineBytes: 4096, allowPlaintextAuth: false, authThrottle: { maxFailuresPerIp: 100, maxFailuresPerUser: 3, windowMs: 60_000 } });
});
after(async () => fixture.close());

/** A raw line-oriented client for checks no library would let us make. */
async function raw(port: number, header?: Buffer) {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  if (header) socket.write(header);
  let buffer = '';
  socket.on('data', (chunk: Buffer) => (buffer += chunk.toString()));
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 500 && !pattern.test(buffer); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(buffer, pattern);
    const out = buffer;
    buffer = '';
    return out;
  };
  return { socket, waitFor, send: (text: string) => socket.write(text) };
}

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '20', '-k', '--ssl-reqd', '-u', `${ALICE}:${PASSWORD}`, ...args], { encoding: 'utf8' }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
  });
}

test('curl smoke test: STARTTLS, LIST, fetch one message by UID', async () => {
  const uid = await fixture.deliver(ALICE, sampleMessage('From curl', 'curl can read me\r\n'));
  const listing = await curl([`imap://127.0.0.1:${fixture.port}/`]);
  assert.match(listing, /\* LIST \(.*\) "\/" "INBOX"/u);
  const body = await curl([`imap://127.0.0.1:${fixture.port}/INBOX;UID=${uid}`]);
  assert.match(body, /Subject: From curl/u);
  assert.match(body, /curl can read me/u);
  const search = await curl([`imap://127.0.0.1:${fixture.port}/INBOX`, '-X', 'UID SEARCH SUBJECT "From curl"']);
  assert.match(search, new RegExp(`\\* SEARCH ${uid}`, 'u'));
});

test('an over-long line gets BAD [TOOBIG] and the session goes on', async () => {
  const c = await raw(fixture.port);
  await c.waitFor(/^\* OK /mu);
  c.send(`a1 NOOP ${'x'.repeat(5000)}\r\n`);
  await c.waitFor(/^a1 BAD \[TOOBIG\]/mu);
  c.send('a2 NOOP\r\n');
  await c.waitFor(/^a2 OK/mu);
  c.send('a3 LOGIN alice x\r\n');
  await c.waitFor(/^a3 NO \[PRIVACYREQUIRED\]/mu);
  c.socket.destroy();
});

test('connections per IP are capped with a BYE that says why', async () => {
  const open = await Promise.all(Array.from({ length: 6 }, () => raw(fixture.port)));
  for (const c of open) await c.waitFor(/^\* OK /mu);
  const extra = await raw(fixture.port);
  await extra.waitFor(/^\* BYE \[UNAVAILABLE\] Too many connections/mu);
  for (const c of [...open, extra]) c.socket.destroy();
  await new Promise((r) => setTimeout(r, 100));
});

test('PROXY v2: the client address comes from the header (accepted when enabled)', async () => {
  const proxied = await startFixture({ proxyProtocol: true, maxConnectionsPerIp: 1 });
  try {
    const header = (ip: number[]) => {
      const fixed = Buffer.from([...PROXY_V2_SIGNATURE, 0x21, 0x11, 0, 12]);
      return Buffer.concat([fixed, Buffer.from([...ip, 10, 0, 0, 1, 0x30, 0x39, 0, 143])]);
    };
    const first = await raw(proxied.port, header([198, 51, 100, 1]));
    await first.waitFor(/^\* OK /mu);
    // Another client address behind the same proxy is not counted against the first one.
    const second = await raw(proxied.port, header([198, 51, 100, 2]));
    await second.waitFor(/^\* OK /mu);
    const again = await raw(proxied.port, header([198, 51, 100, 1]));
    await again.waitFor(/^\* BYE \[UNAVAILABLE\]/mu);
    // A command in the same segment as the header is read after the greeting (the NLB may coalesce).
    const pipelined = await raw(proxied.port, Buffer.concat([header([198, 51, 100, 3]), Buffer.from('p1 NOOP\r\n')]));
    await pipelined.waitFor(/^\* OK [\s\S]*^p1 OK/mu);
    pipelined.socket.destroy();
    // Port 993 behind the NLB: the header, then the TLS handshake on the same socket.
    const tcp = net.connect(proxied.tlsPort, '127.0.0.1');
    await once(tcp, 'connect');
    tcp.write(header([198, 51, 100, 4]));
    const overTls = tls.connect({ socket: tcp, rejectUnauthorized: false });
    const [greeting] = (await once(overTls, 'data')) as [Buffer];
    assert.match(greeting.toString(), /^\* OK /u);
    overTls.destroy();
    const noHeader = await raw(proxied.port);
    noHeader.send('a1 CAPABILITY\r\n');
    await once(noHeader.socket, 'close');
    for (const c of [first, second, again]) c.socket.destroy();
  } finally {
    await proxied.close();
  }
});

test('repeated wrong passwords for one account are throttled', async () => {
  const c = await raw(fixture.port);
  await c.waitFor(/^\* OK /mu);
  c.send('t0 STARTTLS\r\n');
  await c.waitFor(/^t0 OK/mu);
  c.socket.removeAllListeners('data');
  const secure = tls.connect({ socket: c.socket, rejectUnauthorized: false });
  let buffer = '';
  secure.on('data', (chunk: Buffer) => (buffer += chunk.toString()));
  await once(secure, 'secureConnect');
  const attempt = async (tag: string, password: string) => {
    secure.write(`${tag} LOGIN bob@example.test "${password}"\r\n`);
    for (let i = 0; i < 500 && !new RegExp(`^${tag} `, 'mu').test(buffer); i++) await new Promise((r) => setTimeout(r, 10));
    const line = new RegExp(`^${tag} .*$`, 'mu').exec(buffer)?.[0] ?? '';
    return line;
  };
  for (let i = 0; i < 3; i++) assert.match(await attempt(`w${i}`, 'wrong'), /NO \[AUTHENTICATIONFAILED\]/u);
  assert.match(await attempt('w9', PASSWORD), /NO \[UNAVAILABLE\] Too many failed logins/u, 'even the right password waits out the window');
  secure.destroy();
});

test('two live sessions on one mailbox see each other\'s flag changes and expunges', async () => {
  const connect = async () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: fixture.tlsPort, secure: true, tls: { rejectUnauthorized: false }, auth: { user: ALICE, pass: PASSWORD }, logger: false });
    await client.connect();
    await client.mailboxOpen('INBOX');
    return client;
  };
  const uid = await fixture.deliver(ALICE, sampleMessage('Shared view'));
  const [a, b] = [await connect(), await connect()];
  const flagsSeen = new Promise<{ uid?: number; flags: Set<string> }>((resolve) => b.on('flags', resolve));
  await a.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
  await b.noop();
  const event = await flagsSeen;
  assert.ok(event.flags.has('\\Flagged'));
  const expunged = new Promise((resolve) => b.on('expunge', resolve));
  await a.messageDelete(String(uid), { uid: true });
  await b.noop();
  await expunged;
  await Promise.all([a.logout(), b.logout()]);
});

test('IDLE keepalives arrive on schedule and a draining server says BYE', async () => {
  const short = await startFixture({ idleKeepaliveMs: 100, allowPlaintextAuth: true });
  try {
    const c = await raw(short.port);
    await c.waitFor(/^\* OK /mu);
    c.send(`a1 LOGIN ${ALICE} "${PASSWORD}"\r\na2 SELECT INBOX\r\na3 IDLE\r\n`);
    await c.waitFor(/^\+ idling/mu);
    await c.waitFor(/^\* OK Still here/mu);
    const closing = short.service.close(5_000);
    await c.waitFor(/^\* BYE /mu);
    await closing;
  } finally {
    await short.close();
  }
});
