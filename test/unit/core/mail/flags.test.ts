// normalizeFlags: the one spelling of stored flags that every MailIndex adapter shares.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeFlags } from '../../../../core/mail/flags.js';

test('system flags get their canonical spelling; keywords keep theirs', () => {
  assert.deepEqual(normalizeFlags(['\\seen', '\\DELETED', '$Forwarded', 'Project-X']), ['\\Seen', '\\Deleted', '$Forwarded', 'Project-X']);
});

test('duplicates that differ only in case collapse to the first spelling (RFC 3501 §2.3.2)', () => {
  assert.deepEqual(normalizeFlags(['Work', 'work', '\\Seen', '\\seen']), ['Work', '\\Seen']);
});

test('\\Recent is session state and is never stored; empty flags are dropped', () => {
  assert.deepEqual(normalizeFlags(['\\Recent', '\\recent', '', '\\Flagged']), ['\\Flagged']);
});
