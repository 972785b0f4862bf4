// Writing IMAP values: lists, dates (RFC 3501 §9). Strings (RFC 3501 §4.3, quoted when that is safe,
// a literal otherwise; 8-bit text quoted only after ENABLE UTF8=ACCEPT, RFC 6855 §3) are written by
// core/mail/imap-envelope.ts, beside the ENVELOPE serialiser whose output the mail index caches.
export { imapNString, imapString, type StringOptions } from '../../../../core/mail/imap-envelope.js';

export function imapList(items: readonly string[]): string {
  return `(${items.join(' ')})`;
}

/** INTERNALDATE as `"dd-Mon-yyyy hh:mm:ss +zzzz"` (RFC 3501 §9 date-time), in UTC. */
export function imapDateTime(date: Date): string {
  // Messages delivered together share their second: a header sync formats each second once.
  const seconds = Math.floor(date.getTime() / 1000);
  if (seconds === lastDateTime.seconds) return lastDateTime.text;
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, ' ');
  const text = `"${day}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000"`;
  lastDateTime = { seconds, text };
  return text;
}

let lastDateTime = { seconds: Number.NaN, text: '' };

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Parses RFC 3501 `date` (`1-Feb-1994`) as UTC midnight, or `date-time` (`"17-Jul-1996 02:44:25 -0700"`). */
export function parseImapDate(text: string): Date | null {
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})(?: (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}))?$/u.exec(text.trim());
  if (match === null) return null;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === (match[2] as string).toLowerCase());
  if (month < 0) return null;
  const [day, year] = [Number(match[1]), Number(match[3])];
  if (day < 1 || day > 31) return null;
  if (match[4] === undefined) return new Date(Date.UTC(year, month, day));
  const offsetMinutes = (match[7] === '-' ? -1 : 1) * (Number(match[8]) * 60 + Number(match[9]));
  return new Date(Date.UTC(year, month, day, Number(match[4]), Number(match[5]), Number(match[6])) - offsetMinutes * 60_000);
}
