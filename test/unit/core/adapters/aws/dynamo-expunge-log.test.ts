// The expunge log on DynamoDB mailbox items: when may TTL have taken a tombstone (VANISHED memory)?
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPUNGE_LOG_BUCKET_SECONDS, forgottenModseq, recordExpunge } from '../../../../../core/adapters/aws/dynamo-expunge-log.js';
import { VANISHED_RETENTION_SECONDS } from '../../../../../core/adapters/aws/table-design.js';

const DAY_MS = 86_400_000;
const start = Date.UTC(2026, 0, 5);
const empty = { entries: [], prunedModseq: 0 };

test('nothing is forgotten until a retention period has passed since the week of the expunge began', () => {
  const log = recordExpunge(empty, 7, start);
  assert.equal(forgottenModseq(log, start), 0);
  assert.equal(forgottenModseq(log, start + VANISHED_RETENTION_SECONDS * 1000 - EXPUNGE_LOG_BUCKET_SECONDS * 1000 - DAY_MS), 0);
  assert.equal(forgottenModseq(log, start + VANISHED_RETENTION_SECONDS * 1000), 7, 'conservative: counted from the start of its week');
});

test('one entry per week keeps the highest MODSEQ; old weeks fold into prunedModseq when the log is written', () => {
  let log = recordExpunge(empty, 3, start);
  log = recordExpunge(log, 5, start + 1000);
  assert.deepEqual(
    log.entries.map((entry) => entry[1]),
    [5],
  );
  log = recordExpunge(log, 9, start + 14 * DAY_MS);
  assert.equal(log.entries.length, 2);
  const later = start + VANISHED_RETENTION_SECONDS * 1000 + 7 * DAY_MS;
  assert.equal(forgottenModseq(log, later), 5, 'the first week may be gone, the third not yet');
  log = recordExpunge(log, 20, later);
  assert.equal(log.prunedModseq, 5);
  assert.deepEqual(
    log.entries.map((entry) => entry[1]),
    [9, 20],
  );
  assert.ok(log.entries.length <= VANISHED_RETENTION_SECONDS / EXPUNGE_LOG_BUCKET_SECONDS + 2);
});
