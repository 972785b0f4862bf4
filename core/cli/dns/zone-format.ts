// DNS records in zone-file (RFC 1035 §5.1) presentation, ready to paste into a zone or a DNS console.
import type { DnsRecord } from './dns-records.js';

export const DEFAULT_TTL_SECONDS = 3600;

/** RFC 1035 §3.3.14: a TXT record is a sequence of strings of at most 255 octets each; never split a UTF-8 character. */
export function splitTxt(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const parts: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + 255, bytes.length);
    while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
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
