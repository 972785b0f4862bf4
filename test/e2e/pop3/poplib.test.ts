// POP3 with Python's poplib over real sockets: STLS, implicit TLS, RETR/TOP byte for byte, UIDL
// stability, DELE+QUIT against DELE+disconnect, RSET, concurrent sessions, throttling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryishMessage, dotLeadingMessage, numberedMessage } from './messages.js';
import { runPoplib, withServer } from './pop3-harness.js';

/** The message as poplib hands it back: lines without CRLF and with the stuffing removed. */
const asLines = (message: Buffer) => message.toString('latin1').split('\r\n').slice(0, -1);

const STLS_LOGIN = 'p = poplib.POP3(host, port, timeout=20); p.stls(ctx); p.user(user); p.pass_(password)';
const TLS_LOGIN = 'p = poplib.POP3_SSL(host, port, context=ctx, timeout=20); p.user(user); p.pass_(password)';

test('plaintext port: CAPA offers STLS only, USER is refused with [AUTH], after STLS USER/PASS and AUTH PLAIN work', () =>
  withServer(async (server) => {
    const [beforeTls, userReply, afterTls, authAfterStls] = await runPoplib(
      server.service.ports.pop3,
      `
p = poplib.POP3(host, port, timeout=20)
emit(sorted(p.capa().keys()))
try:
    p.user(user); emit("accepted")
except poplib.error_proto as e:
    emit(e.args[0])
p.stls(ctx)
emit(sorted(p.capa().keys()))
p.user(user); p.pass_(password)
p.quit()
p = poplib.POP3(host, port, timeout=20)
p.stls(ctx)
emit(p._shortcmd("AUTH PLAIN " + base64.b64encode(b"\\0" + user.encode() + b"\\0" + password.encode()).decode()))
p.quit()
`,
    );
    assert.deepEqual(beforeTls, ['AUTH-RESP-CODE', 'IMPLEMENTATION', 'PIPELINING', 'RESP-CODES', 'STLS', 'TOP', 'UIDL']);
    assert.match(String(userReply), /^-ERR \[AUTH\] Plaintext authentication disallowed/);
    assert.deepEqual(afterTls, ['AUTH-RESP-CODE', 'IMPLEMENTATION', 'PIPELINING', 'RESP-CODES', 'SASL', 'TOP', 'UIDL', 'USER']);
    assert.match(String(authAfterStls), /^\+OK Logged in/, 'STLS then AUTH PLAIN');
  }));

test('RETR returns binary-ish and dot-leading messages byte for byte; LIST octets match; TOP n', () =>
  withServer(async (server) => {
    const messages = [binaryishMessage(), dotLeadingMessage(), numberedMessage('top me')];
    for (const message of messages) await server.deliver(message);
    const [stat, list, retrieved, top0, top3] = await runPoplib(
      server.service.ports.pop3,
      `
${STLS_LOGIN}
count, size = p.stat(); emit([count, size])
emit(p.list()[1])
emit([p.retr(n)[1] for n in range(1, count + 1)])
emit(p.top(count, 0)[1])
emit(p.top(count, 3)[1])
p.quit()
`,
    );
    const total = messages.reduce((sum, m) => sum + m.length, 0);
    assert.deepEqual(stat, [3, total]);
    assert.deepEqual(list, messages.map((m, i) => `${i + 1} ${m.length}`));
    assert.deepEqual(retrieved, messages.map(asLines));
    assert.deepEqual(top0, ['Subject: top me', 'From: bob@example.org', '']);
    assert.deepEqual(top3, ['Subject: top me', 'From: bob@example.org', '', 'body line 1', 'body line 2', 'body line 3']);
  }));

test('implicit TLS port with AUTH PLAIN (RFC 5034), with and without an initial response', () =>
  withServer(async (server) => {
    await server.deliver(numberedMessage('over tls'));
    const [capa, initial, challenge, second, stat] = await runPoplib(
      server.service.ports.pop3s,
      `
token = base64.b64encode(b"\\0" + user.encode() + b"\\0" + password.encode()).decode()
p = poplib.POP3_SSL(host, port, context=ctx, timeout=20)
emit(sorted(p.capa().keys()))
emit(p._shortcmd("AUTH PLAIN " + token))
p.quit()
p = poplib.POP3_SSL(host, port, context=ctx, timeout=20)
p._putcmd("AUTH PLAIN"); emit(p._getline()[0])
emit(p._shortcmd(token))
emit(p.stat())
p.quit()
`,
    );
    assert.ok((capa as string[]).includes('SASL') && !(capa as string[]).includes('STLS'), String(capa));
    assert.match(String(initial), /^\+OK Logged in; maildrop has 1 messages/);
    assert.equal(challenge, '+ ');
    assert.match(String(second), /^\+OK Logged in/);
    assert.deepEqual(stat, [1, numberedMessage('over tls').length]);
  }));

test('wrong passwords get [AUTH]; past the throttle even the right one gets [SYS/TEMP]', () =>
  withServer(
    async (server) => {
      const replies = await runPoplib(
        server.service.ports.pop3s,
        `
for attempt in ["wrong 1", "wrong 2", password]:
    p = poplib.POP3_SSL(host, port, context=ctx, timeout=20)
    p.user(user)
    try:
        emit(p.pass_(attempt))
    except poplib.error_proto as e:
        emit(e.args[0])
    p.quit()
`,
      );
      assert.match(String(replies[0]), /^-ERR \[AUTH\] Authentication failed/);
      assert.match(String(replies[1]), /^-ERR \[AUTH\] Authentication failed/);
      assert.match(String(replies[2]), /^-ERR \[SYS\/TEMP\] Too many failed logins/);
    },
    { throttle: { maxFailuresPerIp: 10, maxFailuresPerUser: 2, windowMs: 60_000 } },
  ));

test('UIDL ids stay the same across sessions and after other messages are deleted', () =>
  withServer(async (server) => {
    for (let i = 1; i <= 4; i += 1) await server.deliver(numberedMessage(`message ${i}`));
    const uidlScript = `${TLS_LOGIN}\nemit(p.uidl()[1])\np.quit()`;
    const [first] = await runPoplib(server.service.ports.pop3s, uidlScript);
    const [again] = await runPoplib(server.service.ports.pop3s, uidlScript);
    assert.deepEqual(again, first);
    const ids = (first as string[]).map((line) => line.split(' ')[1]);
    assert.equal(new Set(ids).size, 4);
    for (const id of ids) assert.match(String(id), /^[\x21-\x7e]{1,70}$/); // RFC 1939 §7

    await runPoplib(server.service.ports.pop3s, `${TLS_LOGIN}\np.dele(2)\np.quit()`);
    await server.deliver(numberedMessage('message 5'));
    const [afterDelete] = await runPoplib(server.service.ports.pop3s, uidlScript);
    const remaining = (afterDelete as string[]).map((line) => line.split(' ')[1]);
    assert.deepEqual(remaining.slice(0, 3), [ids[0], ids[2], ids[3]]);
    assert.equal(remaining.length, 4);
    assert.ok(!ids.includes(remaining[3]), 'a new message gets a new id');
    assert.deepEqual((afterDelete as string[]).map((line) => line.split(' ')[0]), ['1', '2', '3', '4']);
  }));

test('DELE then QUIT expunges (IMAP sees it gone); DELE then a dropped connection deletes nothing; RSET unmarks', () =>
  withServer(async (server) => {
    const uids = [];
    for (let i = 1; i <= 3; i += 1) uids.push(await server.deliver(numberedMessage(`m${i}`)));

    // Dropped connection: close the socket without QUIT.
    const [dropped] = await runPoplib(server.service.ports.pop3s, `${TLS_LOGIN}\nemit(p.dele(1))\np.sock.close()`);
    assert.match(String(dropped), /^\+OK/);
    // RSET: the marks are gone before QUIT.
    const [rset] = await runPoplib(server.service.ports.pop3s, `${TLS_LOGIN}\np.dele(1); p.dele(3)\nemit(p.rset())\nemit(p.quit())`);
    assert.match(String(rset), /^\+OK Maildrop has 3 messages/);
    assert.deepEqual(await server.inboxUids(), uids);

    const [stat, quit] = await runPoplib(server.service.ports.pop3s, `${TLS_LOGIN}\np.dele(1); p.dele(3)\nemit(p.stat())\nemit(p.quit())`);
    assert.deepEqual(stat, [1, numberedMessage('m2').length]);
    assert.match(String(quit), /^\+OK Bye; 2 messages deleted/);
    assert.deepEqual(await server.inboxUids(), [uids[1]]);
  }));

test('concurrent sessions keep consistent snapshots; each QUIT removes only its own marks', () =>
  withServer(async (server) => {
    for (let i = 1; i <= 3; i += 1) await server.deliver(numberedMessage(`c${i}`));
    const results = await runPoplib(
      server.service.ports.pop3s,
      `
a = poplib.POP3_SSL(host, port, context=ctx, timeout=20); a.user(user); a.pass_(password)
b = poplib.POP3_SSL(host, port, context=ctx, timeout=20); b.user(user); b.pass_(password)
a.dele(1)
emit(a.quit())
emit(b.stat())
emit(b.uidl(3))
emit(b.retr(1)[1][0])
b.dele(2)
emit(b.quit())
c = poplib.POP3_SSL(host, port, context=ctx, timeout=20); c.user(user); c.pass_(password)
emit(c.list()[1])
c.quit()
`,
    );
    const [quitA, statB, uidlB, retrB, quitB, listC] = results;
    assert.match(String(quitA), /1 messages deleted/);
    assert.equal((statB as number[])[0], 3, 'B still sees the snapshot it logged in with');
    assert.match(String(uidlB), /^\+OK 3 \S+/);
    assert.equal(retrB, 'Subject: c1', 'RETR of a message another session removed still serves its snapshot');
    assert.match(String(quitB), /1 messages deleted/);
    assert.deepEqual(listC, [`1 ${numberedMessage('c3').length}`]);
  }));
