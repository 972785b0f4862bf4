// The pure protocol engine: framing (fed one byte at a time), tokens, sequence sets, modified UTF-7,
// strings, FETCH items and SEARCH keys. No sockets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandFramer, type FramerEvent } from '../../../../../services/imap-fargate/imap/protocol/command-framer.js';
import { tokenizeAppendTail, tokenizeCommand, TaggedSyntaxError } from '../../../../../services/imap-fargate/imap/protocol/command-tokens.js';
import { parseFetchItems, formatSection } from '../../../../../services/imap-fargate/imap/protocol/fetch-items.js';
import { imapDateTime, imapString, parseImapDate } from '../../../../../services/imap-fargate/imap/protocol/imap-strings.js';
import { decodeMutf7, encodeMutf7 } from '../../../../../core/mail/mutf7.js';
import { parseSearch } from '../../../../../services/imap-fargate/imap/protocol/search-keys.js';
import { formatSequenceSet, parseSequenceSet, sequenceSetContains } from '../../../../../services/imap-fargate/imap/protocol/sequence-set.js';

const LIMITS = { maxLineBytes: 200, maxLiteralBytes: 1000 };

function feed(framer: CommandFramer, input: Buffer, oneByteAtATime: boolean): FramerEvent[] {
  if (!oneByteAtATime) return framer.push(input);
  const events: FramerEvent[] = [];
  for (let i = 0; i < input.length; i++) events.push(...framer.push(input.subarray(i, i + 1)));
  return events;
}

const STREAM = Buffer.from('a1 LOGIN {5}\r\nalice {3+}\r\npw!\r\na2 APPEND INBOX (\\Seen) {12}\r\nSubject: x\r\n\r\na3 NOOP\nb1 SELECT "Sent \\"x\\""\r\n');

async function readAll(literal: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of literal) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

test('the framer gives the same commands whether fed at once or one byte at a time', async () => {
  for (const oneByte of [false, true]) {
    const events = feed(new CommandFramer(LIMITS), STREAM, oneByte);
    assert.deepEqual(
      events.map((e) => e.type),
      ['continue', 'command', 'streamed-command', 'command', 'command'],
    );
    const commands = events.flatMap((e) => (e.type === 'command' ? [tokenizeCommand(e.command)] : []));
    assert.deepEqual(commands[0]?.args.map((a) => (a.kind === 'list' ? null : a.value)), ['alice', 'pw!']);
    // The APPEND message literal is not buffered into the command: it streams (RFC 3501 §6.3.11).
    const appendEvent = events[2];
    assert.ok(appendEvent?.type === 'streamed-command');
    const append = tokenizeCommand(appendEvent.command);
    assert.equal(append.verb, 'APPEND');
    assert.equal(append.args.length, 2, 'mailbox and flags; the literal is the streamed argument');
    assert.equal(append.streamed?.unclosedLists, 0);
    assert.equal(await readAll(appendEvent.command.streamed), 'Subject: x\r\n');
    assert.deepEqual(await appendEvent.command.streamed.tail(), { lines: [Buffer.alloc(0)], literals: [] });
    assert.equal(commands[1]?.verb, 'NOOP', 'a bare LF ends a line too');
    assert.deepEqual(commands[2]?.args, [{ kind: 'string', value: 'Sent "x"', bytes: Buffer.from('Sent "x"'), literal: false }]);
  }
});

test('streamed APPEND literals: UTF8 wrapper, mailbox literals, refusals, a vanished client', async () => {
  const framer = new CommandFramer(LIMITS);
  const [utf8] = framer.push(Buffer.from('u1 APPEND INBOX UTF8 (~{3+}\r\na\0b)\r\n'));
  assert.ok(utf8?.type === 'streamed-command' && utf8.command.streamed.binary);
  assert.equal(tokenizeCommand(utf8.command).streamed?.unclosedLists, 1);
  assert.equal(await readAll(utf8.command.streamed), 'a\0b');
  assert.equal((await utf8.command.streamed.tail()).lines[0]?.toString(), ')');

  const [mailboxLiteral, continuation] = framer.push(Buffer.from('u2 APPEND {5}\r\n'));
  assert.deepEqual([mailboxLiteral?.type, continuation], ['continue', undefined], 'a mailbox-name literal is an ordinary literal');
  const [message] = framer.push(Buffer.from('INBOX {4}\r\n'));
  assert.ok(message?.type === 'streamed-command');
  // Refused before `+`: the client never sends it, so the next line is a command again.
  await message.command.streamed.refuse();
  assert.equal(framer.push(Buffer.from('u3 NOOP\r\n'))[0]?.type, 'command');

  const [plus] = framer.push(Buffer.from('u4 APPEND INBOX {4+}\r\nab'));
  assert.ok(plus?.type === 'streamed-command');
  const refused = plus.command.streamed.refuse();
  const after = framer.push(Buffer.from('cd\r\nu5 NOOP\r\n'));
  await refused;
  assert.deepEqual(after.map((e) => e.type), ['command'], 'a refused non-synchronizing literal is read and dropped');

  const [cut] = framer.push(Buffer.from('u8 APPEND INBOX {10+}\r\nabc'));
  assert.ok(cut?.type === 'streamed-command');
  framer.abort();
  await assert.rejects(readAll(cut.command.streamed), /disconnected/u, 'a half literal never reads as complete');
});

test('MULTIAPPEND: each message literal streams in turn, announced by the tail of the one before', async () => {
  for (const oneByte of [false, true]) {
    const framer = new CommandFramer(LIMITS);
    const input = Buffer.from('m1 APPEND INBOX {2+}\r\nab (\\Seen) "17-Jul-1996 02:44:25 -0700" {3+}\r\ncde UTF8 (~{1+}\r\nf)\r\nm2 NOOP\r\n');
    const events = feed(framer, input, oneByte);
    assert.deepEqual(events.map((e) => e.type), ['streamed-command', 'command'], 'one APPEND, then the next command');
    const first = events[0];
    assert.ok(first?.type === 'streamed-command');
    assert.equal(await readAll(first.command.streamed), 'ab');
    const second = tokenizeAppendTail(await first.command.streamed.tail(), 0);
    assert.deepEqual(second.args.map((a) => a.kind), ['list', 'string'], 'flags and date-time of the second message');
    assert.ok(second.streamed !== null);
    assert.equal(await readAll(second.streamed.literal), 'cde');
    const third = tokenizeAppendTail(await second.streamed.literal.tail(), 0);
    assert.deepEqual(third.args.map((a) => a.kind === 'atom' && a.value), ['UTF8', false]);
    assert.ok(third.streamed !== null && third.streamed.unclosedLists === 1 && third.streamed.literal.binary);
    assert.equal(await readAll(third.streamed.literal), 'f');
    assert.deepEqual(tokenizeAppendTail(await third.streamed.literal.tail(), 1), { args: [], streamed: null }, ') ends the command');
  }
  assert.throws(() => tokenizeAppendTail({ lines: [Buffer.from(' (\\Seen)')], literals: [] }, 1), /expected "\)"/u);
});

test('MULTIAPPEND refusals: a refused APPEND refuses the messages still to come', async () => {
  const framer = new CommandFramer(LIMITS);
  // Refused after the first message: the next one (LITERAL+) is read and dropped, its tail ends the command.
  const [plus] = framer.push(Buffer.from('r1 APPEND INBOX {1+}\r\na {2+}\r\nbc\r\n'));
  assert.ok(plus?.type === 'streamed-command');
  await plus.command.streamed.refuse();
  const next = (await plus.command.streamed.tail()).streamed;
  assert.ok(next !== undefined && next.refused);
  await next.refuse(); // already refused: resolves once its tail has come
  assert.equal(framer.push(Buffer.from('r2 NOOP\r\n'))[0]?.type, 'command');
  // A synchronizing next literal after a refusal is never invited: the next line is a command again.
  const [sync] = framer.push(Buffer.from('r3 APPEND INBOX {1+}\r\na {2}\r\n'));
  assert.ok(sync?.type === 'streamed-command');
  await sync.command.streamed.refuse();
  assert.equal(framer.push(Buffer.from('r4 NOOP\r\n'))[0]?.type, 'command');
  // Refusing the next message itself before its `+` works as for the first.
  const [third] = framer.push(Buffer.from('r5 APPEND INBOX {1+}\r\na {2}\r\n'));
  assert.ok(third?.type === 'streamed-command');
  await readAll(third.command.streamed);
  const announced = (await third.command.streamed.tail()).streamed!;
  await announced.refuse();
  assert.equal(framer.push(Buffer.from('r6 NOOP\r\n'))[0]?.type, 'command');
  // An over-limit LITERAL+ next message cannot be stopped: the APPEND fails and the connection ends.
  const [huge] = framer.push(Buffer.from('r7 APPEND INBOX {1+}\r\na {5000+}\r\n'));
  assert.ok(huge?.type === 'streamed-command');
  await readAll(huge.command.streamed);
  await assert.rejects(huge.command.streamed.tail(), /size limit/u);
});

test('the framer enforces line and literal limits without losing the stream', () => {
  const framer = new CommandFramer(LIMITS);
  const long = feed(framer, Buffer.from(`t1 NOOP ${'x'.repeat(300)}\r\nt2 NOOP\r\n`), true);
  assert.deepEqual(long[0], { type: 'rejected', tag: 't1', reason: 'line-too-long', fatal: false });
  assert.equal(long[1]?.type, 'command');
  const big = framer.push(Buffer.from('t3 APPEND INBOX {5000}\r\nt4 NOOP\r\n'));
  assert.deepEqual(big[0], { type: 'rejected', tag: 't3', reason: 'literal-too-large', fatal: false });
  assert.equal(big[1]?.type, 'command', 'a refused synchronizing literal is never sent, so the next line is a command');
  const bigPlus = framer.push(Buffer.from('t5 APPEND INBOX {5000+}\r\n'));
  assert.equal(bigPlus[0]?.type === 'rejected' && bigPlus[0].fatal, true, 'a non-synchronizing one is on its way: the connection ends');
});

test('tokens: nested lists, body sections with partials, atoms with brackets, NIL-like strings', () => {
  const command = tokenizeCommand({ lines: [Buffer.from('x UID FETCH 1:* (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (Subject From)]<10.20>) (CHANGEDSINCE 5)')], literals: [] });
  assert.equal(command.verb, 'UID');
  const items = command.args[2];
  assert.ok(items?.kind === 'list');
  const body = items.items[1];
  assert.ok(body?.kind === 'atom' && body.section !== undefined);
  assert.deepEqual(body.partial, { offset: 10, length: 20 });
  assert.equal(tokenizeCommand({ lines: [Buffer.from('y SELECT [Gmail]/Sent')], literals: [] }).args[0]?.kind, 'atom');
  assert.throws(() => tokenizeCommand({ lines: [Buffer.from('z LOGIN "unterminated')], literals: [] }), TaggedSyntaxError);
  assert.throws(() => tokenizeCommand({ lines: [Buffer.from('z FETCH 1 (FLAGS')], literals: [] }), /end of command/u);
  assert.throws(() => tokenizeCommand({ lines: [Buffer.from('')], literals: [] }), /tag/u);
});

test('FETCH items: macros, aliases, sections echo as the client wrote them', () => {
  const all = parseFetchItems({ kind: 'atom', value: 'ALL' });
  assert.deepEqual(all.map((i) => i.kind), ['flags', 'internaldate', 'rfc822.size', 'envelope']);
  const [section] = parseFetchItems(tokenizeCommand({ lines: [Buffer.from('a FETCH BODY[2.1.HEADER.FIELDS.NOT (X-Spam)]')], literals: [] }).args[0]!);
  assert.ok(section?.kind === 'section');
  assert.equal(formatSection(section.section), '2.1.HEADER.FIELDS.NOT (X-Spam)');
  assert.equal(section.peek, false);
  assert.throws(() => parseFetchItems({ kind: 'atom', value: 'BODYSTRUKTUR' }), /unknown fetch item/u);
  assert.throws(() => parseFetchItems(tokenizeCommand({ lines: [Buffer.from('a FETCH BODY[MIME]')], literals: [] }).args[0]!), /MIME needs a part/u);
});

test('sequence sets: ranges either way round, *, $ and compact formatting', () => {
  const set = parseSequenceSet('5:3,9,12:*');
  assert.ok(set?.kind === 'ranges');
  assert.deepEqual([1, 3, 4, 5, 6, 9, 12, 20].map((n) => sequenceSetContains(set.ranges, n, 20)), [false, true, true, true, false, true, true, true]);
  const fromAbove = parseSequenceSet('30:*');
  assert.ok(fromAbove?.kind === 'ranges' && sequenceSetContains(fromAbove.ranges, 20, 20), '`30:*` includes the largest even below 30');
  assert.deepEqual(parseSequenceSet('$'), { kind: 'saved' });
  for (const bad of ['', '0', '1:', ',', '1,,2', 'a', '1:2:3', '4294967296']) assert.equal(parseSequenceSet(bad), null, bad);
  assert.equal(formatSequenceSet([1, 2, 3, 5, 7, 8]), '1:3,5,7:8');
});

test('modified UTF-7 round-trips Japanese, & and mixed names; malformed input is refused', () => {
  const cases: [string, string][] = [
    ['日本語', '&ZeVnLIqe-'],
    ['Tom & Jerry', 'Tom &- Jerry'],
    ['受信/お知らせ', '&U9dP4Q-/&MEp35TCJMFs-'],
    ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
  ];
  for (const [plain, encoded] of cases) {
    assert.equal(encodeMutf7(plain), encoded);
    assert.equal(decodeMutf7(encoded), plain);
  }
  assert.equal(decodeMutf7(encodeMutf7('emoji 📬 box')), 'emoji 📬 box');
  for (const bad of ['&ZeVnLIqe', '&!!-', 'caf\u00e9', '&Jjo']) assert.equal(decodeMutf7(bad), null, bad);
});

test('strings and dates are written the way clients parse them', () => {
  assert.equal(imapString('plain', { utf8: false }), '"plain"');
  assert.equal(imapString('say "hi" \\o/', { utf8: false }), '"say \\"hi\\" \\\\o/"');
  assert.equal(imapString('line\r\nbreak', { utf8: false }), '{11}\r\nline\r\nbreak');
  assert.equal(imapString('日本', { utf8: false }), '{6}\r\n日本');
  assert.equal(imapString('日本', { utf8: true }), '"日本"');
  assert.equal(imapDateTime(new Date(Date.UTC(2026, 1, 3, 4, 5, 6))), '" 3-Feb-2026 04:05:06 +0000"');
  assert.equal(parseImapDate('17-Jul-1996 02:44:25 -0700')?.toISOString(), '1996-07-17T09:44:25.000Z');
  assert.equal(parseImapDate('1-Feb-1994')?.toISOString(), '1994-02-01T00:00:00.000Z');
  assert.equal(parseImapDate('31-Foo-2020'), null);
});

test('SEARCH keys: the RFC 3501 set, nesting, RETURN and CHARSET', () => {
  const parse = (line: string) => parseSearch(tokenizeCommand({ lines: [Buffer.from(`s SEARCH ${line}`)], literals: [] }).args);
  const request = parse('RETURN (MIN COUNT) CHARSET UTF-8 OR (FROM "carol" SINCE 1-Jan-2026) NOT SEEN UID 1:5 LARGER 100 HEADER List-Id dev');
  assert.deepEqual(request.returns, ['MIN', 'COUNT']);
  assert.equal(request.charset, 'UTF-8');
  assert.ok(request.key.kind === 'and');
  assert.deepEqual(request.key.keys.map((k) => k.kind), ['or', 'uid', 'larger', 'header']);
  assert.deepEqual(parse('1,3:4').key, { kind: 'sequence', set: { kind: 'ranges', ranges: [{ from: 1, to: 1 }, { from: 3, to: 4 }] } });
  assert.deepEqual(parse('MODSEQ "/flags/\\\\draft" all 620162338').key, { kind: 'modseq', modseq: 620162338 });
  for (const bad of ['', 'FROM', 'BEFORE 2026-01-01', 'LARGER x', 'FOO', 'OR SEEN']) assert.throws(() => parse(bad), bad);
});
