// LocalChangeFeed cost (design brief §4.6): however many sessions watch however many mailboxes,
// the process reads the database once per poll tick, and every watcher of a changed mailbox wakes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LocalChangeFeed } from '../../../../../core/adapters/local/local-change-feed.js';
import { type SqliteDatabase, openSqliteDatabase } from '../../../../../core/adapters/local/sqlite-database.js';
import type { MailboxChange } from '../../../../../core/ports/index.js';

/** The same database, with every statement execution counted. */
function countingQueries(db: SqliteDatabase): { db: SqliteDatabase; executions: () => number } {
  let executions = 0;
  const counted = new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      return (sql: string) => {
        const statement = target.prepare(sql);
        return new Proxy(statement, {
          get(inner, name, innerReceiver) {
            const value = Reflect.get(inner, name, innerReceiver);
            if (name !== 'all' && name !== 'get') return typeof value === 'function' ? value.bind(inner) : value;
            return (...args: unknown[]) => {
              executions++;
              return (value as (...a: unknown[]) => unknown).apply(inner, args);
            };
          },
        });
      };
    },
  });
  return { db: counted, executions: () => executions };
}

test(
  '1,000 watchers of 200 mailboxes cost one query per poll tick, and all watchers of a changed mailbox wake',
  { timeout: 30_000 },
  async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'yubin-feed-'));
    const file = path.join(directory, 'yubin.sqlite');
    const db = openSqliteDatabase(file);
    const writer = openSqliteDatabase(file); // another process's connection
    try {
      const insert = db.prepare(
        `INSERT INTO mailboxes (user_id, name, subscribed, uid_validity, uid_next, highest_modseq) VALUES ('u', ?, 1, 1, 1, 1) RETURNING id`,
      );
      const mailboxIds = Array.from({ length: 200 }, (_, i) => String(insert.pluck().get(`box-${i}`)));
      const { db: counted, executions } = countingQueries(db);
      const feed = new LocalChangeFeed(counted, { pollIntervalMs: 50 });
      const woken: MailboxChange[] = [];
      for (let session = 0; session < 1_000; session++)
        feed.watch(mailboxIds[session % mailboxIds.length]!, (change) => woken.push(change));
      const afterWatching = executions();

      const ticks = 10;
      await new Promise((resolve) => setTimeout(resolve, ticks * 50));
      const pollQueries = executions() - afterWatching;
      assert.ok(pollQueries >= 2 && pollQueries <= ticks + 3, `${pollQueries} queries in ~${ticks} ticks for 1,000 watchers`);

      writer.prepare('UPDATE mailboxes SET highest_modseq = 2 WHERE id = ?').run(Number(mailboxIds[7]));
      const deadline = Date.now() + 10_000;
      while (woken.length < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(woken.length, 5, 'the five sessions watching that mailbox woke, no others');
      assert.ok(woken.every((change) => change.mailboxId === mailboxIds[7] && change.highestModseq === 2));
      await feed.close();
    } finally {
      writer.close();
      db.close();
      await rm(directory, { recursive: true, force: true });
    }
  },
);
