// Schema of the local backend, one SQL script per version (PRAGMA user_version = index + 1).
// Append new migrations; never edit a released one. docs/storage.md names the query each index serves.

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

// Blobs up to SqliteBlobStore's inline limit live here rather than as files: their write shares the
// group commit and WAL fsync of the job or mailbox entry that references them (docs/storage.md).
const V2 = `
CREATE TABLE small_blobs (
  key      TEXT PRIMARY KEY,
  content  BLOB NOT NULL
);
`;

export const MIGRATIONS: readonly string[] = [V1, V2];
