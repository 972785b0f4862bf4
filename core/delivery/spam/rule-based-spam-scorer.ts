// A simple, explainable spam scorer: each rule that fires adds points and a reason; at or above the
// threshold the message is spam. Rules read authentication results, DNSBL hits and header heuristics.
import { firstHeader } from '../header-fields.js';
import type { SpamInput, SpamReason, SpamScorer, SpamVerdict } from './spam-scorer.js';

interface SpamRule {
  readonly rule: string;
  readonly score: number;
  readonly description: string;
  readonly fires: (input: SpamInput) => boolean;
}

const RULES: readonly SpamRule[] = [
  {
    rule: 'SPF_FAIL',
    score: 3,
    description: 'the sending host is not allowed to send for the envelope domain (RFC 7208 fail)',
    fires: (i) => i.authentication.spf === 'fail',
  },
  {
    rule: 'SPF_SOFTFAIL',
    score: 1.5,
    description: 'the envelope domain says the sending host is probably not allowed (RFC 7208 softfail)',
    fires: (i) => i.authentication.spf === 'softfail',
  },
  // mailauth reports a body-hash mismatch as neutral (RFC 6376 §3.7 leaves the label open): both mean altered.
  {
    rule: 'DKIM_INVALID',
    score: 1.5,
    description: 'a DKIM signature does not verify: the message was altered or forged',
    fires: (i) => i.authentication.dkim.some((d) => d.result === 'fail' || d.result === 'neutral'),
  },
  // RFC 7489 §6.6.4: p=quarantine asks receivers to treat failing mail as suspicious (the spam folder).
  {
    rule: 'DMARC_QUARANTINE',
    score: 5,
    description: 'the From domain fails DMARC and asks for quarantine',
    fires: (i) => i.authentication.dmarc?.result === 'fail' && i.authentication.dmarc.policy === 'quarantine',
  },
  {
    rule: 'DMARC_FAIL',
    score: 2.5,
    description: 'the From domain fails DMARC',
    fires: (i) => i.authentication.dmarc?.result === 'fail' && i.authentication.dmarc.policy === 'none',
  },
  { rule: 'DNSBL_LISTED', score: 3, description: 'the sending host is on a DNS blocklist', fires: (i) => i.dnsblHits.length > 0 },
  { rule: 'DNSBL_MULTI', score: 2, description: 'the sending host is on several DNS blocklists', fires: (i) => i.dnsblHits.length > 1 },
  {
    rule: 'MISSING_FROM',
    score: 2.5,
    description: 'no From field (RFC 5322 §3.6 requires one)',
    fires: (i) => firstHeader(i.headers, 'from') === null,
  },
  {
    rule: 'MISSING_DATE',
    score: 1,
    description: 'no Date field (RFC 5322 §3.6 requires one)',
    fires: (i) => firstHeader(i.headers, 'date') === null,
  },
  {
    rule: 'MISSING_MESSAGE_ID',
    score: 1,
    description: 'no Message-ID field, which every real mail program writes',
    fires: (i) => firstHeader(i.headers, 'message-id') === null,
  },
  {
    rule: 'SUBJECT_ALL_CAPS',
    score: 1.5,
    description: 'the subject is written in capitals',
    fires: (i) => isShouting(firstHeader(i.headers, 'subject') ?? ''),
  },
  {
    rule: 'FROM_NAME_SPOOFS_ADDRESS',
    score: 2,
    description: 'the From display name shows a different address than the real sender',
    fires: (i) => displayNameSpoofsAddress(firstHeader(i.headers, 'from') ?? ''),
  },
  {
    rule: 'DMARC_PASS',
    score: -1.5,
    description: 'the From domain is authenticated by DMARC',
    fires: (i) => i.authentication.dmarc?.result === 'pass',
  },
];

function isShouting(subject: string): boolean {
  const letters = subject.replace(/[^\p{L}]/gu, '');
  return letters.length >= 10 && letters === letters.toUpperCase() && letters !== letters.toLowerCase();
}

/** `"support@bank.example" <x@elsewhere.test>`: the name claims an address the sender does not use. */
function displayNameSpoofsAddress(from: string): boolean {
  const match = /^\s*"?([^"<]*)"?\s*<([^>]+)>/.exec(from);
  if (!match) return false;
  const claimed = /[\w.+-]+@([\w-]+\.[\w.-]+)/.exec(match[1] ?? '');
  const actualDomain = (match[2] ?? '').split('@')[1]?.toLowerCase();
  return claimed !== null && actualDomain !== undefined && claimed[1]!.toLowerCase() !== actualDomain;
}

export class RuleBasedSpamScorer implements SpamScorer {
  constructor(private readonly threshold = 5) {}

  async score(input: SpamInput): Promise<SpamVerdict> {
    // Mail our own logged-in users submit is not judged: they are authenticated, not anonymous.
    if (input.authentication.senderAuthenticated) return { isSpam: false, score: 0, threshold: this.threshold, reasons: [] };
    const reasons: SpamReason[] = RULES.filter((rule) => rule.fires(input)).map(({ rule, score, description }) => ({
      rule,
      score,
      description,
    }));
    const score = reasons.reduce((sum, reason) => sum + reason.score, 0);
    return { isSpam: score >= this.threshold, score, threshold: this.threshold, reasons };
  }
}
