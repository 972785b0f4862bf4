// The seam a stronger spam filter plugs into later: given what delivery knows about a message, say
// whether it is spam and why. Spam is filed into the recipient's \Junk mailbox with the reasons in a header.
import type { HeaderField } from '../header-fields.js';
import type { MessageAuthentication } from '../message-authentication.js';

export interface SpamInput {
  readonly authentication: MessageAuthentication;
  /** DNSBL zones that listed the client at connect time. */
  readonly dnsblHits: readonly string[];
  readonly headers: readonly HeaderField[];
}

export interface SpamReason {
  /** Stable rule name, shown in the header (`SPF_FAIL`). */
  readonly rule: string;
  readonly score: number;
  readonly description: string;
}

export interface SpamVerdict {
  readonly isSpam: boolean;
  readonly score: number;
  readonly threshold: number;
  readonly reasons: readonly SpamReason[];
}

export interface SpamScorer {
  score(input: SpamInput): Promise<SpamVerdict>;
}

/** The `X-Spam-Status` field (the SpamAssassin convention mail clients and filters understand). */
export function spamStatusHeaderField(verdict: SpamVerdict): string {
  const tests = verdict.reasons.map((reason) => reason.rule).join(',') || 'none';
  return `X-Spam-Status: ${verdict.isSpam ? 'Yes' : 'No'}, score=${verdict.score.toFixed(1)} required=${verdict.threshold.toFixed(1)}\r\n tests=${tests}`;
}
