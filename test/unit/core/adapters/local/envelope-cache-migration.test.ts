// A data dir from before the envelope cache (user_version 6) keeps working: opening it serialises the
// ENVELOPE of every stored message into message_envelopes. A message row written without one (by an
// older process on the same data dir) is still served, its envelope serialised on read; deleting a
// message deletes its cached envelope whichever code deletes it (foreign-key cascade).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { INDEX_FILE_NAME, openLocalStorage } from '../../../../../core/adapters/local/open-local-storage.js';
import { MIGRATIONS } from '../../../../../core/adapters/local/schema.js';
import { serializeEnvelope } from '../../../../../core/mail/imap-envelope.js';
import type { MessageStructure } from '../../../../../core/mail/message-structure.js';
import { parseMessageStructure } from '../../../../../core/mime/index.js';

const RAW = [
  'From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\r\nTo: undisclosed-recipients:;\r\nSubject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n',
  'Subject: 日本語の件名\r\nFrom: 山田 <山田@example.jp>\r\nCc: team: "B \\"Q\\"" <b@x.test>;\r\n\r\nraw 8-bit header\r\n',
  'X-Nothing: here\r\n\r\nno envelope headers at all\r\n',
];

const structureOf = (raw: string): Promise<MessageStructure> =>
  parseMessageStructure(
    (async function* () {
      yield Buffer.from(raw);
    })(),
  );

function insertMessage(db: Database.Database, uid: number, structure: MessageStructure): void {
  db.prepare("INSERT INTO messages (mailbox_id, uid, modseq, flags, seen, internal_date, size_bytes, blob_key, structure) VALUES (1, ?, ?, '[]', 0, 0, 100, ?, ?)").run(
    uid,
    uid + 1,
    `msg/old-${uid}`,
    JSON.stringify(structure),
  );
}

test('a version-6 data dir gains cached envelopes on open; rows without one are still served and cascade on delete', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'yubin-migrate-envelopes-'));
  try {
    const structures = await Promise.all(RAW.map(structureOf));
    const file = path.join(dataDir, INDEX_FILE_NAME);
    const old = new Database(file);
    for (const migration of MIGRATIONS.slice(0, 6)) {
      if (typeof migration === 'string') old.exec(migration);
      else migration(old);
    }
    old.pragma('user_version = 6');
    old.prepare("INSERT INTO mailboxes (id, user_id, name, subscribed, uid_validity, uid_next, highest_modseq, message_count) VALUES (1, 'u1', 'INBOX', 1, 7, 4, 4, 3)").run();
    structures.forEach((structure, i) => insertMessage(old, i + 1, structure));
    old.close();

    const storage = await openLocalStorage({ dataDir });
    try {
      const served = await storage.mailIndex.getImapEnvelopes('1', [1, 2, 3]);
      assert.deepEqual(
        served.map((m) => m.imapEnvelope),
        structures.map((s) => serializeEnvelope(s.envelope)),
      );
      assert.notEqual(served[1]!.imapEnvelope.utf8Text, null, 'the raw 8-bit message has a UTF8=ACCEPT form');

      // An older process appends on the same file: no message_envelopes row.
      const other = new Database(file);
      other.pragma('foreign_keys = ON');
      try {
        assert.equal(other.pragma('user_version', { simple: true }), MIGRATIONS.length);
        insertMessage(other, 4, structures[1]!);
        other.prepare('UPDATE mailboxes SET uid_next = 5, message_count = 4 WHERE id = 1').run();
        const [late] = await storage.mailIndex.getImapEnvelopes('1', [4]);
        assert.deepEqual(late?.imapEnvelope, serializeEnvelope(structures[1]!.envelope));

        await storage.mailIndex.updateFlags('1', { uids: [1, 2], operation: 'add', flags: ['\\Deleted'] });
        await storage.mailIndex.expunge('1');
        const cachedIds = other.prepare('SELECT message_id FROM message_envelopes ORDER BY message_id').pluck().all();
        const messageIds = other.prepare('SELECT id FROM messages WHERE uid = 3').pluck().all();
        assert.deepEqual(cachedIds, messageIds, 'only the remaining migrated message keeps a cached envelope');
      } finally {
        other.close();
      }
    } finally {
      await storage.close();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
