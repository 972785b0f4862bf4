// The conservative VANISHED (EARLIER) set sent when the index forgot old expunges (RFC 7162 §3.2.5.2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { absentUidSet } from '../../../../../../services/imap-fargate/imap/session/vanished-fallback.js';

test('every UID below UIDNEXT that is not present, as ranges', () => {
  assert.equal(absentUidSet([2, 3, 7], 9), '1,4:6,8:9');
  assert.equal(absentUidSet([1, 2, 3], 3), '');
  assert.equal(absentUidSet([], 4), '1:4');
  assert.equal(absentUidSet([5], 0), '');
});

test('limited to the UIDs the client names (known-uids, or the UID FETCH set with *)', () => {
  assert.equal(absentUidSet([2, 3, 7], 9, { ranges: [{ from: 5, to: 1 }], largest: 7 }), '1,4:5');
  assert.equal(
    absentUidSet([2, 3, 7], 9, {
      ranges: [
        { from: 8, to: '*' },
        { from: 4, to: 4 },
        { from: 1, to: 1 },
      ],
      largest: 9,
    }),
    '1,4,8:9',
  );
  assert.equal(absentUidSet([2, 3, 7], 9, { ranges: [{ from: 2, to: 3 }], largest: 9 }), '');
});

test('a huge UID space with few messages stays a few ranges', () => {
  assert.equal(absentUidSet([1_000_000], 4_000_000_000), '1:999999,1000001:4000000000');
});
