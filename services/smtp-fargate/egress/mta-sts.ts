// MTA-STS (RFC 8461): a domain publishes `_mta-sts` TXT with a policy id and serves its policy at
// https://mta-sts.<domain>/.well-known/mta-sts.txt. In `enforce` mode mail goes only to MX hosts
// the policy names, over TLS with a valid certificate; otherwise it is deferred (§5). Policies are
// cached for max_age and refetched when the TXT id changes (§5.1).
import { get } from 'node:https';
import { parsePolicy, validateMx } from 'mailauth/lib/mta-sts.js';
import type { MxResolver } from './mx-resolver.js';

export interface MtaStsPolicy {
  readonly id: string;
  readonly mode: 'enforce' | 'testing' | 'none';
  readonly mx: readonly string[];
  readonly maxAgeSeconds: number;
  readonly fetchedAt: number;
}

export type PolicyLookup =
  | { readonly kind: 'policy'; readonly policy: MtaStsPolicy }
  /** The domain publishes no `_mta-sts` record. */
  | { readonly kind: 'none' }
  /** A record exists (or DNS failed) but no policy could be had now, and none is cached. */
  | { readonly kind: 'unavailable' };

/** Returns the policy file text, or null when there is none (HTTP error, no server). */
export type MtaStsPolicyFetcher = (domain: string) => Promise<string | null>;

/** §3.3: fetched over HTTPS with a valid certificate, no redirects, a small body. */
export const httpsPolicyFetcher: MtaStsPolicyFetcher = (domain) =>
  new Promise((resolve) => {
    const request = get({ host: `mta-sts.${domain}`, path: '/.well-known/mta-sts.txt', timeout: 10_000 }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        resolve(null);
        return;
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 64 * 1024) request.destroy(); // §3.3: senders may limit the size
      });
      response.on('end', () => resolve(body));
      response.on('error', () => resolve(null));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });

/** The TXT record's id (§3.1), or null when the domain has no MTA-STS record. */
function policyIdOf(records: readonly string[]): string | null {
  const record = records.find((text) => /^v=STSv1\s*;/i.test(text.trim()));
  return record ? (/(?:^|;)\s*id=([A-Za-z0-9]{1,32})\s*(?:;|$)/.exec(record)?.[1] ?? null) : null;
}

export class MtaStsPolicies {
  private readonly cache = new Map<string, MtaStsPolicy>();

  constructor(
    private readonly dns: MxResolver,
    private readonly fetchPolicy: MtaStsPolicyFetcher = httpsPolicyFetcher,
    private readonly now: () => number = Date.now,
  ) {}

  /** The policy in force for `domain`, or null. A cached unexpired policy survives DNS or HTTPS failures (§5.1). */
  async policyFor(domain: string): Promise<MtaStsPolicy | null> {
    const found = await this.lookup(domain);
    return found.kind === 'policy' ? found.policy : null;
  }

  /**
   * Like policyFor, but tells "no policy" from "could not find out" (DNS or HTTPS failing with
   * nothing cached): REQUIRETLS (RFC 8689 §4.2.1) bounces on the first and retries on the second.
   */
  async lookup(domain: string): Promise<PolicyLookup> {
    const cached = this.cache.get(domain);
    const fresh = cached && this.now() < cached.fetchedAt + cached.maxAgeSeconds * 1000 ? cached : undefined;
    const fallback: PolicyLookup = fresh ? { kind: 'policy', policy: fresh } : { kind: 'unavailable' };
    let id: string | null;
    try {
      id = policyIdOf(await this.dns.txt(`_mta-sts.${domain}`));
    } catch {
      return fallback;
    }
    if (id === null) return fresh ? { kind: 'policy', policy: fresh } : { kind: 'none' };
    if (fresh && fresh.id === id) return { kind: 'policy', policy: fresh };
    const text = await this.fetchPolicy(domain);
    if (text === null) return fallback;
    try {
      const parsed = parsePolicy(text);
      const policy: MtaStsPolicy = {
        id,
        mode: parsed.mode,
        mx: parsed.mx ?? [],
        maxAgeSeconds: parsed.maxAge ?? 86_400,
        fetchedAt: this.now(),
      };
      this.cache.set(domain, policy);
      return { kind: 'policy', policy };
    } catch {
      return fallback;
    }
  }
}

/** §4.1: does the MX host name match one of the policy's `mx` patterns? */
export function mxAllowedByPolicy(mxHost: string, policy: MtaStsPolicy): boolean {
  return validateMx(mxHost, { mode: policy.mode, mx: [...policy.mx] }).valid;
}
