// Connect phase: DNS blocklists (RFC 5782). The client IP, reversed, is looked up under each zone;
// an answer in 127.0.0.0/8 means listed → 554 5.7.1 naming the list. Lookup errors let the client
// through: a broken list must not stop the world's mail.
import { isIP } from 'node:net';
import { replies } from '../session/replies.js';
import type { ConnectContext, PolicyCheck } from './verdict.js';

/** Resolves A records; rejects (ENOTFOUND, ENODATA) when there are none. */
export type ResolveA = (hostname: string) => Promise<string[]>;

/** RFC 5782 §2.1 (IPv4 octets reversed) and §2.4 (IPv6 nibbles reversed). */
export function dnsblQueryName(ip: string, zone: string): string | null {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.${zone}`;
  if (isIP(ip) !== 6) return null;
  const halves = ip.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const full = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  const nibbles = full.map((g) => g.padStart(4, '0')).join('');
  return `${[...nibbles].reverse().join('.')}.${zone}`;
}

export function dnsblCheck(zones: readonly string[], resolveA: ResolveA): PolicyCheck<ConnectContext> {
  return {
    name: 'dnsbl',
    async check({ clientIp }) {
      for (const zone of zones) {
        const name = dnsblQueryName(clientIp, zone);
        if (name === null) continue;
        const answers = await resolveA(name).catch(() => [] as string[]);
        if (answers.some((a) => a.startsWith('127.'))) return { kind: 'reject', reply: replies.clientBlocked(clientIp, zone) };
      }
      return { kind: 'continue' };
    },
  };
}
