// Plain-language explanations of the remote replies a sender meets most often, for the DSN's
// human-readable part: the enhanced status alone cannot tell a 553 from a 554, so these are keyed
// by reply code and status together (design brief §6; RFC 3463 for the status meanings).
import type { RecipientResult } from './transport.js';

export interface BounceExplanation {
  readonly what: string;
  readonly whatToDo: string;
}

interface Rule {
  readonly matches: (code: number, status: string) => boolean;
  readonly explanation: BounceExplanation;
}

const RULES: readonly Rule[] = [
  {
    matches: (_, status) => status === '5.1.10',
    explanation: {
      what: 'The domain of this address has declared that it accepts no email at all (a "null MX" record, RFC 7505).',
      whatToDo: 'The address cannot receive mail. Check the domain for typos or ask the recipient for another address.',
    },
  },
  {
    matches: (_, status) => status === '5.4.4',
    explanation: {
      what: 'Host unknown: the domain of this address does not exist, or publishes no mail server.',
      whatToDo: 'Check the part after the @ for typos (for example gmial.com instead of gmail.com).',
    },
  },
  {
    matches: (_, status) => status === '5.4.7',
    explanation: {
      what: 'The receiving server kept answering "try again later" until we gave up (the retry period expired).',
      whatToDo: 'The reply below is the last one we got. Try again later, or reach the recipient another way.',
    },
  },
  {
    matches: (code, status) => status.endsWith('.1.1') || (code === 550 && /^5\.1\./.test(status)),
    explanation: {
      what: 'Unknown user: the receiving server says this mailbox does not exist.',
      whatToDo: 'Check the spelling of the address, or ask the recipient for a working one.',
    },
  },
  {
    matches: (code, status) => code === 551 || status === '5.1.6',
    explanation: {
      what: 'User not local: the recipient no longer receives mail at this address.',
      whatToDo: 'The server reply below often gives the new address; write to that one.',
    },
  },
  {
    matches: (_, status) => status === '5.3.4' || status === '5.2.3',
    explanation: {
      what: 'The message is too big for the receiving server.',
      whatToDo: 'Send it again with smaller attachments, or share large files as a link.',
    },
  },
  {
    matches: (code, status) => code === 552 || status.endsWith('.2.2'),
    explanation: {
      what: "The recipient's mailbox is full.",
      whatToDo: 'Try again in a few days, once they have made room, or reach them another way.',
    },
  },
  {
    matches: (code) => code === 553,
    explanation: {
      what: 'The receiving server rejected the sender address, or wanted the sender to authenticate.',
      whatToDo: 'Check that you sent from your own address; if it keeps happening, tell your mail administrator.',
    },
  },
  {
    matches: (_, status) => status === '5.7.10' || status === '5.7.30',
    explanation: {
      what: 'The message was sent with REQUIRETLS (RFC 8689): it may only travel over verified encryption to a server that promises the same. The receiving side could not offer that, so the message was not sent at all.',
      whatToDo: 'Send it again without requiring TLS if that is acceptable, or reach the recipient another way. The reply below says which part was missing.',
    },
  },
  {
    matches: (code, status) => code === 554 || status.startsWith('5.7.'),
    explanation: {
      what: 'The receiving server refused the message because of its policy: often a failed SPF or DKIM check, or our sending address on a blocklist.',
      whatToDo:
        'Ask your mail administrator to check the SPF and DKIM records of your domain (`yubin dns check`) and whether the sending IP is listed on a blocklist (the reply below usually names the list).',
    },
  },
  {
    matches: (_, status) => status === '4.7.5',
    explanation: {
      what: 'The receiving domain requires a secure (TLS) connection with a valid certificate, and we could not make one.',
      whatToDo: 'Nothing yet: delivery will be retried. If it keeps failing the receiving domain has a certificate problem.',
    },
  },
];

/** An explanation for the DSN when one of the common cases applies; otherwise core/dsn's by status. */
export function explainRemoteReply(result: Pick<RecipientResult, 'reply' | 'status'>): BounceExplanation | undefined {
  const code = Number(result.reply.slice(0, 3));
  return RULES.find((rule) => rule.matches(code, result.status))?.explanation;
}
