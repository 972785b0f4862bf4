// DNS records in zone-file (RFC 1035 §5.1) presentation, ready to paste into a zone or a DNS console.
import type { DnsRecord } from './dns-records.js';

export const DEFAULT_TTL_SECONDS = 3600;

/** RFC 1035 §3.3.14: a TXT record is a sequence of strings of at most 255 octets each. */
export function splitTxt(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += 255) parts.push(bytes.subarray(start, start + 255).toString('utf8'));
  return parts.length > 0 ? parts : [''];
}

const absolute = (name: string): string => (name === '.' ? '.' : `${name}.`);

export function recordData(record: DnsRecord): string {
  switch (record.type) {
    case 'MX':
      return `${record.priority} ${absolute(record.exchange)}`;
    case 'A':
    case 'AAAA':
      return record.address;
    case 'TXT':
      return splitTxt(record.text)
        .map((part) => `"${part.replace(/["\\]/gu, (c) => `\\${c}`)}"`)
        .join(' ');
    case 'CNAME':
      return absolute(record.target);
    case 'SRV':
      return `${record.priority} ${record.weight} ${record.port} ${absolute(record.target)}`;
  }
}

export function formatZoneRecord(record: DnsRecord, ttl = DEFAULT_TTL_SECONDS): string {
  return `${absolute(record.name)}\t${ttl}\tIN\t${record.type}\t${recordData(record)}`;
}
