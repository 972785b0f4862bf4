// `yubin dns check`: resolves each record of `domainRecords` through a configurable resolver and
// says which are fine, missing or wrong. Comparisons follow each record's meaning, not its bytes:
// SPF terms in any order, the DKIM key's p= only, any DMARC policy at least as strict as ours.
import type { Resolver } from 'node:dns/promises';
import type { DnsRecord } from './dns-records.js';

export type CheckStatus = 'ok' | 'missing' | 'wrong' | 'lookup-failed';

export interface RecordCheck {
  readonly record: DnsRecord;
  readonly status: CheckStatus;
  /** What the resolver returned, in presentation form. */
  readonly found: readonly string[];
  /** Why it is wrong, when that is not obvious from `found`. */
  readonly note?: string;
}

/** Answers that mean "no such record" rather than "could not ask". */
const ABSENT_CODES = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

function tags(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of text.split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0) result.set(part.slice(0, equals).trim().toLowerCase(), part.slice(equals + 1).replace(/\s+/gu, ''));
  }
  return result;
}

const sameName = (a: string, b: string): boolean => a.toLowerCase().replace(/\.$/u, '') === b.toLowerCase().replace(/\.$/u, '');

function spfTerms(text: string): string {
  return text.toLowerCase().split(/\s+/u).filter(Boolean).sort().join(' ');
}

/** Compares one TXT record with the expected one; returns a note when it is wrong. */
function txtVerdict(record: DnsRecord & { type: 'TXT' }, found: string): string | null {
  switch (record.purpose) {
    case 'spf':
      return spfTerms(found) === spfTerms(record.text) ? null : 'the SPF terms differ';
    case 'dkim':
      return tags(found).get('p') === tags(record.text).get('p') ? null : 'the public key (p=) is not the one stored for this selector';
    case 'dmarc': {
      const policy = tags(found).get('p');
      return policy === 'quarantine' || policy === 'reject'
        ? null
        : `policy p=${policy ?? '(none)'} lets spoofed mail through; use quarantine or reject`;
    }
    case 'mta-sts': {
      const id = tags(found).get('id');
      if (id === undefined) return 'no id= tag (RFC 8461 §3.1)';
      // RFC 8461 §3.1: senders refetch the policy only when the id changes; a stale id keeps an old policy cached.
      return id === tags(record.text).get('id') ? null : 'the id is not the one of the policy this deployment serves';
    }
    case 'tls-rpt':
      return tags(found).get('rua')?.startsWith('mailto:') || tags(found).get('rua')?.startsWith('https:')
        ? null
        : 'no rua= report address (RFC 8460 §3)';
    default:
      return found === record.text ? null : 'the text differs';
  }
}

/** The leading `v=…` tag that tells this record's TXT apart from others at the same name. */
function txtVersionTag(text: string): string {
  return (text.split(/[;\s]/u)[0] ?? '').toLowerCase();
}

/** An absent record as an empty answer; other failures still throw. */
async function absentAsNone(answer: Promise<string[]>): Promise<string[]> {
  try {
    return await answer;
  } catch (error) {
    if (ABSENT_CODES.has((error as NodeJS.ErrnoException).code ?? '')) return [];
    throw error;
  }
}

async function lookup(resolver: Resolver, record: DnsRecord): Promise<RecordCheck> {
  switch (record.type) {
    case 'MX': {
      const answers = await resolver.resolveMx(record.name);
      const found = answers.map((mx) => `${mx.priority} ${mx.exchange}`);
      return { record, found, status: answers.some((mx) => sameName(mx.exchange, record.exchange)) ? 'ok' : 'wrong' };
    }
    case 'A':
    case 'AAAA': {
      const found = record.type === 'A' ? await resolver.resolve4(record.name) : await resolver.resolve6(record.name);
      return { record, found, status: found.includes(record.address) ? 'ok' : 'wrong' };
    }
    case 'CNAME': {
      const found = await absentAsNone(resolver.resolveCname(record.name));
      if (found.some((target) => sameName(target, record.target))) return { record, found, status: 'ok' };
      if (found.length > 0) return { record, found, status: 'wrong' };
      // An address record works as well when it holds the target's addresses: the CDK stack writes
      // Route 53 alias records to the NLB, whose addresses are the mail host's.
      const [own, targets] = await Promise.all([
        absentAsNone(resolver.resolve4(record.name)),
        absentAsNone(resolver.resolve4(record.target)),
      ]);
      if (own.length === 0) return { record, found, status: 'missing' };
      const ok = own.some((address) => targets.includes(address));
      return {
        record,
        found: own,
        status: ok ? 'ok' : 'wrong',
        ...(ok ? {} : { note: `these are not the addresses of ${record.target}` }),
      };
    }
    case 'SRV': {
      const answers = await resolver.resolveSrv(record.name);
      const found = answers.map((srv) => `${srv.priority} ${srv.weight} ${srv.port} ${srv.name || '.'}`);
      const ok = answers.some((srv) => srv.port === record.port && sameName(srv.name || '.', record.target));
      return { record, found, status: ok ? 'ok' : 'wrong' };
    }
    case 'TXT': {
      const all = (await resolver.resolveTxt(record.name)).map((strings) => strings.join(''));
      // DKIM records may omit v=DKIM1 (RFC 6376 §3.6.1); everything else is told apart by its tag.
      const version = txtVersionTag(record.text);
      const candidates = record.purpose === 'dkim' ? all : all.filter((text) => txtVersionTag(text) === version);
      if (candidates.length === 0) return { record, found: all, status: 'missing' };
      if (candidates.length > 1 && record.purpose === 'spf')
        return { record, found: candidates, status: 'wrong', note: 'more than one SPF record is a permanent error (RFC 7208 §4.5)' };
      const notes = candidates.map((text) => txtVerdict(record, text));
      if (notes.includes(null)) return { record, found: candidates, status: 'ok' };
      return { record, found: candidates, status: 'wrong', note: notes[0] ?? undefined };
    }
  }
}

export async function checkRecord(resolver: Resolver, record: DnsRecord): Promise<RecordCheck> {
  try {
    return await lookup(resolver, record);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (ABSENT_CODES.has(code)) return { record, found: [], status: 'missing' };
    return { record, found: [], status: 'lookup-failed', note: `${code || (error as Error).message}` };
  }
}

export async function checkRecords(resolver: Resolver, records: readonly DnsRecord[]): Promise<RecordCheck[]> {
  return Promise.all(records.map((record) => checkRecord(resolver, record)));
}
