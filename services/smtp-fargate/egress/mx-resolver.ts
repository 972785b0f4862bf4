// Where mail for a domain goes (RFC 5321 §5.1): its MX hosts by preference, else the domain itself
// (implicit MX from A/AAAA); a null MX (RFC 7505) means the domain takes no mail at all.
import type { Resolver } from 'node:dns/promises';

export interface MxHost {
  readonly hostname: string;
  readonly addresses: readonly string[];
}

export type Destination =
  | { readonly kind: 'hosts'; readonly hosts: readonly MxHost[] }
  /** RFC 7505 §3: `MX 0 .` — fail at once with 556 5.1.10. */
  | { readonly kind: 'null-mx' }
  /** The domain does not exist or has no address at all (5.4.4, "host unknown"). */
  | { readonly kind: 'unknown-host' }
  /** The DNS could not answer now: try again later. */
  | { readonly kind: 'dns-failure'; readonly detail: string };

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has((error as { code?: string }).code ?? '');
}

/** Node's resolver keeps no cache and hides TTLs: answers are reused this long (a busy domain gets many messages). */
const DESTINATION_CACHE_MS = 60_000;
const MAX_CACHED_DESTINATIONS = 10_000;

export class MxResolver {
  private readonly destinations = new Map<string, { readonly destination: Destination; readonly expiresAt: number }>();

  constructor(
    private readonly resolver: Resolver,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where mail for `domain` goes; answers other than DNS failures are cached for a minute. */
  async resolve(domain: string): Promise<Destination> {
    const cached = this.destinations.get(domain);
    if (cached && cached.expiresAt > this.now()) return cached.destination;
    const destination = await this.lookUp(domain);
    if (this.destinations.size > MAX_CACHED_DESTINATIONS) this.destinations.clear(); // bounded memory
    if (destination.kind !== 'dns-failure') this.destinations.set(domain, { destination, expiresAt: this.now() + DESTINATION_CACHE_MS });
    return destination;
  }

  async addressesOf(hostname: string): Promise<string[]> {
    const lookups = await Promise.allSettled([this.resolver.resolve4(hostname), this.resolver.resolve6(hostname)]);
    const addresses = lookups.flatMap((lookup) => (lookup.status === 'fulfilled' ? lookup.value : []));
    if (addresses.length > 0) return addresses;
    const failure = lookups.find((lookup) => lookup.status === 'rejected' && !isNotFound(lookup.reason));
    if (failure && failure.status === 'rejected') throw failure.reason;
    return [];
  }

  private async lookUp(domain: string): Promise<Destination> {
    let records: { exchange: string; priority: number }[];
    try {
      records = await this.resolver.resolveMx(domain);
    } catch (error) {
      if (!isNotFound(error)) return { kind: 'dns-failure', detail: String((error as Error).message) };
      records = [];
    }
    // RFC 7505 §3: a single MX with an empty exchange ("." in the zone file).
    if (records.length === 1 && (records[0]!.exchange === '' || records[0]!.exchange === '.')) return { kind: 'null-mx' };
    try {
      if (records.length === 0) {
        // RFC 5321 §5.1: no MX records → the domain itself is the implicit MX.
        const addresses = await this.addressesOf(domain);
        return addresses.length > 0 ? { kind: 'hosts', hosts: [{ hostname: domain, addresses }] } : { kind: 'unknown-host' };
      }
      const sorted = [...records].sort((a, b) => a.priority - b.priority);
      const hosts: MxHost[] = [];
      for (const record of sorted) {
        const addresses = await this.addressesOf(record.exchange).catch(() => []);
        if (addresses.length > 0) hosts.push({ hostname: record.exchange.replace(/\.$/, '').toLowerCase(), addresses });
      }
      return hosts.length > 0 ? { kind: 'hosts', hosts } : { kind: 'unknown-host' };
    } catch (error) {
      return { kind: 'dns-failure', detail: String((error as Error).message) };
    }
  }

  async txt(name: string): Promise<string[]> {
    try {
      return (await this.resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }
}
