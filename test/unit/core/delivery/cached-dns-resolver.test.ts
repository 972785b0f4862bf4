// The delivery DNS cache: one query per name and type within the TTL (answers, NXDOMAIN and
// failures alike), a new one after it, bounded size, and callers that cannot spoil each other's answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cachedDnsResolver } from '../../../../core/delivery/cached-dns-resolver.js';
import type { DnsResolver } from '../../../../core/delivery/message-authentication.js';

/** A resolver that counts its queries: TXT for `_dmarc.*`, NXDOMAIN for `missing.*`, a timeout for `slow.*`. */
function countingResolver(): { resolve: DnsResolver; queries: string[] } {
  const queries: string[] = [];
  const resolve: DnsResolver = async (name, rrtype) => {
    queries.push(`${rrtype} ${name}`);
    if (name.startsWith('missing.')) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    if (name.startsWith('slow.')) throw Object.assign(new Error(`queryTxt ETIMEOUT ${name}`), { code: 'ETIMEOUT' });
    return [['v=DMARC1; p=none']];
  };
  return { resolve, queries };
}

test('one query per name and type within the TTL, whatever the case of the name; another after it', async () => {
  let clock = 1_000_000;
  const { resolve, queries } = countingResolver();
  const cached = cachedDnsResolver(resolve, { ttlMs: 60_000, now: () => clock });
  assert.deepEqual(await cached('_dmarc.sender.example', 'TXT'), [['v=DMARC1; p=none']]);
  await Promise.all([cached('_dmarc.SENDER.example', 'TXT'), cached('_dmarc.sender.example', 'TXT')]);
  await cached('_dmarc.sender.example', 'A');
  assert.deepEqual(queries, ['TXT _dmarc.sender.example', 'A _dmarc.sender.example']);
  clock += 60_000;
  await cached('_dmarc.sender.example', 'TXT');
  assert.equal(queries.length, 3, 'asked again once the TTL has passed');
});

test('NXDOMAIN and timeouts are kept as long as answers: every caller sees the same error', async () => {
  const { resolve, queries } = countingResolver();
  const cached = cachedDnsResolver(resolve);
  for (let i = 0; i < 3; i++) {
    await assert.rejects(cached('missing.example', 'TXT'), { code: 'ENOTFOUND' });
    await assert.rejects(cached('slow.example', 'TXT'), { code: 'ETIMEOUT' });
  }
  assert.deepEqual(queries, ['TXT missing.example', 'TXT slow.example']);
});

test('a caller that edits its answer does not change what the next caller gets', async () => {
  const cached = cachedDnsResolver(countingResolver().resolve);
  const first = (await cached('_dmarc.sender.example', 'TXT')) as string[][];
  first[0]![0] = 'v=DMARC1; p=reject';
  first.push(['extra']);
  assert.deepEqual(await cached('_dmarc.sender.example', 'TXT'), [['v=DMARC1; p=none']]);
});

test('beyond maxEntries the oldest name is forgotten', async () => {
  const { resolve, queries } = countingResolver();
  const cached = cachedDnsResolver(resolve, { maxEntries: 2 });
  await cached('_dmarc.a.example', 'TXT');
  await cached('_dmarc.b.example', 'TXT');
  await cached('_dmarc.c.example', 'TXT');
  await cached('_dmarc.c.example', 'TXT');
  await cached('_dmarc.b.example', 'TXT');
  assert.equal(queries.length, 3, 'b and c still cached');
  await cached('_dmarc.a.example', 'TXT');
  assert.equal(queries.length, 4, 'a was dropped');
});
