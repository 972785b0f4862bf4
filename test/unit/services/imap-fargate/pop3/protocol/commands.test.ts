import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand } from '../../../../../../services/imap-fargate/pop3/protocol/commands.js';

test('RFC 1939 commands parse to typed commands, keywords case-insensitive', () => {
  assert.deepEqual(parseCommand('user bob@example.test'), { ok: true, command: { verb: 'USER', name: 'bob@example.test' } });
  assert.deepEqual(parseCommand('STAT'), { ok: true, command: { verb: 'STAT' } });
  assert.deepEqual(parseCommand('LIST'), { ok: true, command: { verb: 'LIST', messageNumber: null } });
  assert.deepEqual(parseCommand('list 12'), { ok: true, command: { verb: 'LIST', messageNumber: 12 } });
  assert.deepEqual(parseCommand('UIDL 3'), { ok: true, command: { verb: 'UIDL', messageNumber: 3 } });
  assert.deepEqual(parseCommand('RETR 1'), { ok: true, command: { verb: 'RETR', messageNumber: 1 } });
  assert.deepEqual(parseCommand('TOP 2 0'), { ok: true, command: { verb: 'TOP', messageNumber: 2, lineCount: 0 } });
  assert.deepEqual(parseCommand('DELE 7 '), { ok: true, command: { verb: 'DELE', messageNumber: 7 } });
  assert.deepEqual(parseCommand('quit'), { ok: true, command: { verb: 'QUIT' } });
});

test('PASS keeps spaces inside and around the password (RFC 1939 §7)', () => {
  assert.deepEqual(parseCommand('PASS  two words '), { ok: true, command: { verb: 'PASS', password: ' two words ' } });
});

test('AUTH with and without mechanism and initial response (RFC 5034)', () => {
  assert.deepEqual(parseCommand('AUTH'), { ok: true, command: { verb: 'AUTH', mechanism: null, initialResponse: null } });
  assert.deepEqual(parseCommand('AUTH plain'), { ok: true, command: { verb: 'AUTH', mechanism: 'PLAIN', initialResponse: null } });
  assert.deepEqual(parseCommand('AUTH PLAIN AGJvYgBwdw=='), { ok: true, command: { verb: 'AUTH', mechanism: 'PLAIN', initialResponse: 'AGJvYgBwdw==' } });
});

test('bad arguments name the verb and its usage; unknown keywords are unknown', () => {
  for (const line of ['RETR', 'RETR 0', 'RETR -1', 'RETR x', 'RETR 1 2', 'TOP 1', 'TOP 1 -2', 'LIST 1 2', 'STAT 1', 'USER', 'PASS', 'DELE 99999999999']) {
    const result = parseCommand(line);
    assert.equal(result.ok, false, line);
    assert.equal(!result.ok && result.error, 'bad-arguments', line);
  }
  assert.deepEqual(parseCommand('RETR'), { ok: false, error: 'bad-arguments', verb: 'RETR', usage: 'RETR msg' });
  for (const line of ['', 'XYZZY', 'APOP bob 0123', 'hasOwnProperty', 'RETRX 1', ' STAT']) {
    assert.deepEqual(parseCommand(line), { ok: false, error: 'unknown-command' }, line);
  }
});
