// IMAP message flags as stored: RFC 3501 §2.3.2 compares flags case-insensitively. System flags get
// their canonical spelling, duplicates go, and \Recent is dropped: it is session state, never stored
// (RFC 9051 removed it). Shared by every MailIndex adapter so both backends store the same spelling.

const SYSTEM_FLAGS = new Map(['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((flag) => [flag.toLowerCase(), flag]));

export function normalizeFlags(flags: readonly string[]): string[] {
  const byLowerCase = new Map<string, string>();
  for (const flag of flags) {
    const lower = flag.toLowerCase();
    if (lower === '\\recent' || flag.length === 0) continue;
    if (!byLowerCase.has(lower)) byLowerCase.set(lower, SYSTEM_FLAGS.get(lower) ?? flag);
  }
  return [...byLowerCase.values()];
}
