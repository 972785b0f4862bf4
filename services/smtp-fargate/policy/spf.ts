// Mail phase: SPF (RFC 7208) via mailauth, on MX connections only (submission users are
// authenticated instead). The verdict travels to delivery in the job; `fail` is refused here with
// 554 5.7.1 (brief §6), every other result is only recorded. DNS goes through a pluggable resolver.
import { spf } from 'mailauth/lib/spf/index.js';
import type { DNSResolver } from 'mailauth';
import type { SpfVerdict } from '../../../core/mail/jobs.js';
import { domainOf } from '../../../core/mail/address.js';
import { replies } from '../session/replies.js';
import type { MailContext, PolicyCheck } from './verdict.js';

const RESULTS = new Set<SpfVerdict['result']>(['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror']);

export function spfCheck(options: { readonly hostname: string; readonly resolver?: DNSResolver; readonly rejectFail: boolean }): PolicyCheck<MailContext> {
  return {
    name: 'spf',
    async check(context) {
      if (context.listener !== 'mx' || context.user !== null) return { kind: 'continue' };
      // RFC 7208 §2.4: with the null sender, check the HELO identity.
      const sender = context.sender === '' ? `postmaster@${context.helo}` : context.sender;
      const result = await spf({ sender, ip: context.clientIp, helo: context.helo, mta: options.hostname, resolver: options.resolver });
      const raw = result.status.result === 'temperr' ? 'temperror' : result.status.result;
      const verdict: SpfVerdict = { result: RESULTS.has(raw as SpfVerdict['result']) ? (raw as SpfVerdict['result']) : 'none', domain: domainOf(sender), header: result.header };
      context.facts.spf = verdict;
      if (verdict.result === 'fail' && options.rejectFail) return { kind: 'reject', reply: replies.spfRejected(verdict.domain, context.clientIp) };
      return { kind: 'continue' };
    },
  };
}
