// Human sizes for quotas and reports: `10G`, `500M`, `1.5T`, `none`. Binary multiples (1K = 1024),
// as IMAP QUOTA (RFC 9208 counts STORAGE in units of 1024 octets) and most admins expect.
import { CliError } from './cli-context.js';

const UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Bytes, or null for no limit (`none`, `unlimited`). */
export function parseSize(input: string): number | null {
  const text = input.trim().toUpperCase();
  if (text === 'NONE' || text === 'UNLIMITED') return null;
  const match = /^(\d+(?:\.\d+)?)\s*([BKMGT]?)(?:I?B)?$/u.exec(text);
  if (!match) throw new CliError(`not a size: ${JSON.stringify(input)} (examples: 10G, 500M, none)`);
  const bytes = Math.round(Number(match[1]) * (UNITS[match[2] ?? ''] ?? 1));
  if (!Number.isSafeInteger(bytes)) throw new CliError(`size too large: ${input}`);
  return bytes;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['K', 'M', 'G', 'T'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}iB`;
}
