// Mail addresses as the directory sees them: `local@domain`, domain lower-cased (RFC 5321 §2.4:
// the local part is case-sensitive in principle, but every real server folds it; so do we).

export interface ParsedAddress {
  readonly localPart: string;
  readonly domain: string;
}

const MAX_ADDRESS_OCTETS = 254; // RFC 5321 §4.5.3.1.3 path limit minus the angle brackets

/** Splits and normalises an address; returns null when it is not `local@domain`. */
export function parseAddress(input: string): ParsedAddress | null {
  const address = input.trim();
  if (address.length === 0 || Buffer.byteLength(address) > MAX_ADDRESS_OCTETS) return null;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  const localPart = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase().replace(/\.$/, '');
  if (!/^[^\s@<>()[\]\\,;:"]+$/u.test(domain) || domain.startsWith('.') || domain.includes('..')) return null;
  if (/[\s<>]/u.test(localPart)) return null;
  return { localPart: localPart.toLowerCase(), domain };
}

/** The canonical form used as a directory key: lower-case `local@domain`. */
export function normalizeAddress(input: string): string | null {
  const parsed = parseAddress(input);
  return parsed ? `${parsed.localPart}@${parsed.domain}` : null;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
