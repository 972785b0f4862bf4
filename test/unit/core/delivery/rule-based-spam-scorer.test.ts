import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HeaderField } from '../../../../core/delivery/header-fields.js';
import type { MessageAuthentication } from '../../../../core/delivery/message-authentication.js';
import { RuleBasedSpamScorer } from '../../../../core/delivery/spam/rule-based-spam-scorer.js';
import { spamStatusHeaderField } from '../../../../core/delivery/spam/spam-scorer.js';

function authentication(overrides: Partial<MessageAuthentication> = {}): MessageAuthentication {
  return {
    dkim: [],
    spf: 'none',
    arc: 'none',
    dmarc: null,
    dmarcRejects: false,
    senderAuthenticated: false,
    headerField: '',
    headers: [],
    rawHeader: '',
    ...overrides,
  };
}

const field = (name: string, value: string): HeaderField => ({ name, value, raw: value });
const wellFormed = [
  field('from', 'Alice <alice@sender.test>'),
  field('date', 'Mon, 30 Nov 2026 10:00:00 +0000'),
  field('message-id', '<1@sender.test>'),
  field('subject', 'Lunch on Friday?'),
];

test('ordinary authenticated mail scores below the threshold, with DMARC pass as a credit', async () => {
  const verdict = await new RuleBasedSpamScorer().score({
    authentication: authentication({ spf: 'pass', dmarc: { result: 'pass', policy: 'none', domain: 'sender.test' } }),
    dnsblHits: [],
    headers: wellFormed,
  });
  assert.equal(verdict.isSpam, false);
  assert.deepEqual(
    verdict.reasons.map((r) => r.rule),
    ['DMARC_PASS'],
  );
  assert.equal(verdict.score, -1.5);
});

test('a listed host with a failing SPF and a shouting, spoofing From is spam, and the header says why', async () => {
  const headers = [field('from', '"support@bank.example" <x@elsewhere.test>'), field('subject', 'URGENT ACCOUNT SUSPENDED')];
  const verdict = await new RuleBasedSpamScorer().score({
    authentication: authentication({ spf: 'fail' }),
    dnsblHits: ['zen.spamhaus.org'],
    headers,
  });
  assert.equal(verdict.isSpam, true);
  assert.deepEqual(
    verdict.reasons.map((r) => r.rule),
    ['SPF_FAIL', 'DNSBL_LISTED', 'MISSING_DATE', 'MISSING_MESSAGE_ID', 'SUBJECT_ALL_CAPS', 'FROM_NAME_SPOOFS_ADDRESS'],
  );
  assert.ok(
    verdict.reasons.every((r) => r.description.length > 10),
    'every reason is explained',
  );
  assert.equal(
    spamStatusHeaderField(verdict),
    'X-Spam-Status: Yes, score=11.5 required=5.0\r\n tests=SPF_FAIL,DNSBL_LISTED,MISSING_DATE,MISSING_MESSAGE_ID,SUBJECT_ALL_CAPS,FROM_NAME_SPOOFS_ADDRESS',
  );
});

test('DMARC quarantine alone files into Junk (RFC 7489 §6.6.4); our own logged-in senders are not scored', async () => {
  const quarantined = await new RuleBasedSpamScorer().score({
    authentication: authentication({ dmarc: { result: 'fail', policy: 'quarantine', domain: 's.test' } }),
    dnsblHits: [],
    headers: wellFormed,
  });
  assert.equal(quarantined.isSpam, true);
  const ours = await new RuleBasedSpamScorer().score({
    authentication: authentication({ senderAuthenticated: true, spf: 'fail' }),
    dnsblHits: ['x'],
    headers: [],
  });
  assert.deepEqual(ours, { isSpam: false, score: 0, threshold: 5, reasons: [] });
});
