// The one way our services make a DNS resolver: the system's, or the servers an operator (or a test
// with a loopback DNS server) names as `ip` or `ip:port`. Egress MX lookups and the SMTP policy's
// DNSBL and SPF queries both use it.
import { Resolver } from 'node:dns/promises';

export function createResolver(servers: readonly string[], timeoutMs = 5000): Resolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers.length > 0) resolver.setServers([...servers]);
  return resolver;
}
