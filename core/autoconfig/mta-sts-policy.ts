// The MTA-STS policy (RFC 8461 §3.2) this deployment serves at https://mta-sts.DOMAIN/.well-known/
// mta-sts.txt, and the id that `_mta-sts.DOMAIN` TXT carries (§3.1). One function makes both, so
// the listener, `yubin dns` and the CDK DNS records always agree.
import { createHash } from 'node:crypto';
import type { MtaStsMode } from '../config/index.js';

/** RFC 8461 §3.2: max_age up to 31557600; one week lets a mistake heal within days. */
export const MTA_STS_MAX_AGE_SECONDS = 604_800;

/** RFC 8461 §3.3: the well-known path, fetched over HTTPS from host `mta-sts.DOMAIN`. */
export const MTA_STS_POLICY_PATH = '/.well-known/mta-sts.txt';

/**
 * RFC 8461 §3.2: `key: value` lines ending in CRLF; `mx` names the host senders may deliver to (the
 * deployment's one MX host, whose certificate must cover that name).
 */
export function mtaStsPolicyText(mailHost: string, mode: MtaStsMode): string {
  return ['version: STSv1', `mode: ${mode}`, `mx: ${mailHost.toLowerCase()}`, `max_age: ${MTA_STS_MAX_AGE_SECONDS}`, ''].join('\r\n');
}

/** RFC 8461 §3.1: id is 1–32 alphanumerics that change whenever the policy does; a hash does exactly that. */
export function mtaStsPolicyId(policy: string): string {
  return createHash('sha256').update(policy).digest('hex').slice(0, 20);
}
