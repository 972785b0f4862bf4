// Schema of the local backend, one migration per version (PRAGMA user_version = index + 1): an SQL
// script, or a function for data that only our code can compute. Append new migrations; never edit a
// released one. docs/storage.md names the query each index serves.
import type Database from 'better-sqlite3';
import { envelopeSearchText } from '../../mime/search-text.js';
import { serializeEnvelope } from '../../mail/imap-envelope.js';
import type { Envelope } from '../../mail/message-structure.js';

const V1 = `
CREATE TABLE domains (
  name        TEXT PRIMARY KEY,
  created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  address       TEXT NOT NULL UNIQUE,
  domain        TEXT NOT NULL REFERENCES domains(name),
  password_hash TEXT NOT NULL,
  quota_bytes   INTEGER,
  status        TEXT NOT NULL,
  moved_to      TEXT,
  created_at    INTEGER NOT NULL
);
CREATE INDEX users_by_domain ON users(domain, address);

CREATE TABLE aliases (
  source   TEXT PRIMARY KEY,
  domain   TEXT NOT NULL,
  targets  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX aliases_by_domain ON aliases(domain, source);

CREATE TABLE filter_rules (
  user_id  TEXT PRIMARY KEY,
  rules    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE dkim_keys (
  domain           TEXT PRIMARY KEY,
  selector         TEXT NOT NULL,
  private_key_pem  TEXT NOT NULL,
  algorithm        TEXT NOT NULL,
  created_at       INTEGER NOT NULL
) WITHOUT ROWID;

-- Monotonic counters that must survive deletes (the last UIDVALIDITY handed out).
CREATE TABLE counters (
  name   TEXT PRIMARY KEY,
  value  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE mailboxes (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id         TEXT NOT NULL,
  name            TEXT NOT NULL,
  special_use     TEXT,
  subscribed      INTEGER NOT NULL,
  uid_validity    INTEGER NOT NULL,
  uid_next        INTEGER NOT NULL,
  highest_modseq  INTEGER NOT NULL,
  message_count   INTEGER NOT NULL DEFAULT 0,
  unseen_count    INTEGER NOT NULL DEFAULT 0,
  size_bytes      INTEGER NOT NULL DEFAULT 0,
  UNIQUE (user_id, name)
);

CREATE TABLE messages (
  id             INTEGER PRIMARY KEY,
  mailbox_id     INTEGER NOT NULL,
  uid            INTEGER NOT NULL,
  modseq         INTEGER NOT NULL,
  flags          TEXT NOT NULL,
  seen           INTEGER NOT NULL,
  internal_date  INTEGER NOT NULL,
  size_bytes     INTEGER NOT NULL,
  blob_key       TEXT NOT NULL,
  structure      TEXT NOT NULL
);
CREATE UNIQUE INDEX messages_by_uid ON messages(mailbox_id, uid);
CREATE INDEX messages_by_modseq ON messages(mailbox_id, modseq);
CREATE INDEX messages_by_blob ON messages(blob_key);

CREATE TABLE append_keys (
  mailbox_id       INTEGER NOT NULL,
  idempotency_key  TEXT NOT NULL,
  uid              INTEGER NOT NULL,
  modseq           INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, idempotency_key)
) WITHOUT ROWID;

CREATE TABLE vanished (
  mailbox_id  INTEGER NOT NULL,
  uid         INTEGER NOT NULL,
  modseq      INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX vanished_by_modseq ON vanished(mailbox_id, modseq);

CREATE TABLE quota_usage (
  user_id        TEXT PRIMARY KEY,
  used_bytes     INTEGER NOT NULL,
  message_count  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  queue        TEXT NOT NULL,
  body         TEXT NOT NULL,
  enqueued_at  INTEGER NOT NULL,
  visible_at   INTEGER NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  receipt      TEXT,
  dead         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_ready ON jobs(queue, dead, visible_at);
`;

/** SEARCH from the index (docs/imap.md "SEARCH cost"). */
const V2 = `
-- Decoded, case-folded header values (core/mime/search-text.ts) for SEARCH SUBJECT/FROM/TO/CC/BCC:
-- a narrow table, so a search reads ~100 bytes per message instead of the structure JSON.
CREATE TABLE message_headers (
  mailbox_id  INTEGER NOT NULL,
  uid         INTEGER NOT NULL,
  subject     TEXT,
  from_text   TEXT,
  to_text     TEXT,
  cc_text     TEXT,
  bcc_text    TEXT,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;

-- SEARCH TEXT/BODY candidates: trigrams of each message's decoded, folded header and text parts,
-- rowid = messages.id. Contentless (the text lives in the blob) and without positions (detail=column),
-- so it only says which messages hold every trigram of a needle; SEARCH verifies longer needles.
CREATE VIRTUAL TABLE message_text USING fts5(
  header, body, content='', contentless_delete=1, tokenize='trigram case_sensitive 1', detail=column
);

-- Messages not (yet) in message_text: the lazy text indexer's queue. skipped = 1: never indexed
-- (more text than the indexer takes, or an unreadable blob), so SEARCH always scans them.
CREATE TABLE message_text_pending (
  message_id  INTEGER PRIMARY KEY,
  mailbox_id  INTEGER NOT NULL,
  uid         INTEGER NOT NULL,
  skipped     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX message_text_pending_by_mailbox ON message_text_pending(mailbox_id, uid);
INSERT INTO message_text_pending (message_id, mailbox_id, uid) SELECT id, mailbox_id, uid FROM messages;
`;

/** Calls `each` with every stored message's row id, place and envelope, a page of rows at a time. */
function forEachStoredEnvelope(db: Database.Database, each: (id: number, mailboxId: number, uid: number, envelope: Envelope) => void): void {
  // Pages by rowid: better-sqlite3 runs no other statement while an iterator is open.
  const page = db.prepare(
    "SELECT id, mailbox_id, uid, json_extract(structure, '$.envelope') AS envelope FROM messages WHERE id > ? ORDER BY id LIMIT 1000",
  );
  let afterId = 0;
  for (;;) {
    const rows = page.all(afterId) as { id: number; mailbox_id: number; uid: number; envelope: string }[];
    if (rows.length === 0) return;
    for (const row of rows) each(row.id, row.mailbox_id, row.uid, JSON.parse(row.envelope) as Envelope);
    afterId = rows[rows.length - 1]!.id;
  }
}

/** Fills message_headers for messages stored before V2 (the decoding is ours, not SQL's). */
function backfillMessageHeaders(db: Database.Database): void {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO message_headers (mailbox_id, uid, subject, from_text, to_text, cc_text, bcc_text) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  forEachStoredEnvelope(db, (_id, mailboxId, uid, envelope) => {
    const text = envelopeSearchText(envelope);
    insert.run(mailboxId, uid, text.subject, text.from, text.to, text.cc, text.bcc);
  });
}

export type Migration = string | ((db: Database.Database) => void);

// \Recent (RFC 3501 §2.3.2): the first UID no session has claimed yet. Existing mailboxes start with
// nothing recent, as if every message had already been seen by a SELECT.
const RECENT = `
ALTER TABLE mailboxes ADD COLUMN first_recent_uid INTEGER NOT NULL DEFAULT 1;
UPDATE mailboxes SET first_recent_uid = uid_next;
`;

// Storage housekeeping (core/ports/housekeeping.ts): unreferenced-blob records, and the times that
// let expunged UIDs and idempotency keys be pruned. Rows older than this migration get its time.
const HOUSEKEEPING = `
CREATE TABLE unreferenced_blobs (
  blob_key    TEXT PRIMARY KEY,
  since       INTEGER NOT NULL,
  claimed_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX unreferenced_blobs_by_since ON unreferenced_blobs(since);

ALTER TABLE vanished ADD COLUMN expunged_at INTEGER NOT NULL DEFAULT 0;
UPDATE vanished SET expunged_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);
CREATE INDEX vanished_by_time ON vanished(expunged_at);
ALTER TABLE mailboxes ADD COLUMN vanished_pruned_modseq INTEGER NOT NULL DEFAULT 0;

ALTER TABLE append_keys ADD COLUMN appended_at INTEGER NOT NULL DEFAULT 0;
UPDATE append_keys SET appended_at = CAST(unixepoch('subsec') * 1000 AS INTEGER);
CREATE INDEX append_keys_by_time ON append_keys(appended_at);
`;

// Blobs up to SqliteBlobStore's inline limit live here rather than as files: their write shares the
// group commit and WAL fsync of the job or mailbox entry that references them (docs/storage.md).
const SMALL_BLOBS = `
CREATE TABLE small_blobs (
  key      TEXT PRIMARY KEY,
  content  BLOB NOT NULL
);
`;

// SEARCH TEXT/BODY settled by the index for most messages (sqlite-text-index.ts): the start of each
// message's text with positions (detail=full), where a needle is a phrase of consecutive trigrams, and
// the messages whose text runs past that start. Filled by the lazy indexer: every message is queued
// again, and message_text is rebuilt beside the new tables (skipped ones stay skipped; SEARCH reads
// queued messages itself meanwhile).
const TEXT_START = `
INSERT INTO message_text (message_text) VALUES ('delete-all');
CREATE VIRTUAL TABLE message_text_start USING fts5(
  header, body, content='', contentless_delete=1, tokenize='trigram case_sensitive 1', detail=full
);
CREATE TABLE message_text_long (
  message_id  INTEGER PRIMARY KEY
);
INSERT OR IGNORE INTO message_text_pending (message_id, mailbox_id, uid) SELECT id, mailbox_id, uid FROM messages;
`;

// Header sync (docs/imap.md): each message's IMAP ENVELOPE serialised at append (core/mail/imap-envelope.ts),
// as Dovecot's cache keeps it, so UID FETCH 1:* (… ENVELOPE) parses no JSON. Keyed by the message's
// rowid (one lookup per message row read); utf8_text only where UTF8=ACCEPT sessions get other bytes.
// The rows go with their message by cascade, whichever code deletes it. The summary columns get a
// covering index, so listing a UID range never reads the wide message rows (their structure JSON).
const MESSAGE_ENVELOPES = `
CREATE TABLE message_envelopes (
  message_id  INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  text        TEXT NOT NULL,
  utf8_text   TEXT
);
CREATE INDEX messages_summary_by_uid ON messages(mailbox_id, uid, modseq, flags, internal_date, size_bytes, blob_key);
`;

/** Serialises the envelope of every message stored before MESSAGE_ENVELOPES. */
function backfillMessageEnvelopes(db: Database.Database): void {
  const insert = db.prepare('INSERT INTO message_envelopes (message_id, text, utf8_text) VALUES (?, ?, ?)');
  forEachStoredEnvelope(db, (id, _mailboxId, _uid, envelope) => {
    const serialized = serializeEnvelope(envelope);
    insert.run(id, serialized.text, serialized.utf8Text);
  });
}

export const MIGRATIONS: readonly Migration[] = [
  V1,
  V2,
  backfillMessageHeaders,
  RECENT,
  HOUSEKEEPING,
  SMALL_BLOBS,
  TEXT_START,
  MESSAGE_ENVELOPES,
  backfillMessageEnvelopes,
];
