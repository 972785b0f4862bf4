// A short-lived per-process cache in front of delivery's DNS resolver. Every message from a domain
// asks for the same DMARC record (and DKIM key): a burst of 1,000 messages from one sender made 1,000
// identical lookups, each a network round trip and CPU for the query. Negative answers (NXDOMAIN,
// NODATA; RFC 2308 §5) and failures (timeouts, SERVFAIL; RFC 2308 §7 allows up to 5 minutes) are
// kept as long as answers, so an unreachable server costs one timeout per name, not one per message.
import { promises as dns } from 'node:dns';
import type { DnsResolver } from './message-authentication.js';

/** The system resolver (`dns.resolve`), as mailauth expects it. */
export const systemDnsResolver: DnsResolver = (name, rrtype) => dns.resolve(name, rrtype) as Promise<string[][] | string[]>;

export interface DnsCacheOptions {
  /** How long an answer is reused: below the TTL of nearly every DKIM and DMARC record. Default 60 s. */
  readonly ttlMs?: number;
  /** Oldest entries are dropped beyond this many names. Default 10,000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

type Answer = Awaited<ReturnType<DnsResolver>>;

export function cachedDnsResolver(resolve: DnsResolver, options: DnsCacheOptions = {}): DnsResolver {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { readonly answer: Promise<Answer>; readonly expiresAt: number }>();
  return (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase()}`;
    let entry = entries.get(key);
    if (entry === undefined || entry.expiresAt <= now()) {
      entries.delete(key);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      // Concurrent lookups of one name share the query in flight.
      entry = { answer: resolve(name, rrtype), expiresAt: now() + ttlMs };
      entry.answer.catch(() => undefined); // rejections reach each caller below, never go unhandled
      entries.set(key, entry);
    }
    // Each caller gets its own copy: callers may sort or edit what they get.
    return entry.answer.then((answer) => structuredClone(answer));
  };
}
